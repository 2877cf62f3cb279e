using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>
    /// Base of every Keras code fix: one edit per diagnostic, applied through a <see cref="DocumentEditor"/>, and a Fix
    /// All (document, project, solution) that applies all of a document's diagnostics in one editor pass, so fixes
    /// that touch the same statements compose instead of conflicting.
    /// </summary>
    public abstract class KerasCodeFix : CodeFixProvider
    {
        /// <summary>A fix variant: its title and equivalence key (Fix All applies one key at a time).</summary>
        protected readonly struct Variant
        {
            /// <summary>Creates a variant.</summary>
            public Variant(string title, string key)
            {
                Title = title;
                Key = key;
            }

            /// <summary>Shown in the light bulb.</summary>
            public string Title { get; }

            /// <summary>The equivalence key.</summary>
            public string Key { get; }
        }

        /// <summary>The variants offered for one diagnostic (none when the fix cannot be applied safely).</summary>
        protected abstract Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct);

        /// <summary>Applies <paramref name="variantKey"/> for <paramref name="diagnostic"/>; returns false when it no longer applies.</summary>
        protected abstract Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct);

        /// <inheritdoc />
        public sealed override FixAllProvider GetFixAllProvider() => new FixAll(this);

        /// <inheritdoc />
        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var variants = await VariantsAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                foreach (var variant in variants)
                {
                    context.RegisterCodeFix(CodeAction.Create(variant.Title,
                        ct => ApplyOneAsync(context.Document, ImmutableArray.Create(diagnostic), variant.Key, ct),
                        variant.Key), diagnostic);
                }
            }
        }

        private async Task<Document> ApplyOneAsync(Document document, ImmutableArray<Diagnostic> diagnostics, string key, CancellationToken ct)
        {
            var editor = await DocumentEditor.CreateAsync(document, ct).ConfigureAwait(false);
            foreach (var diagnostic in diagnostics.OrderByDescending(d => d.Location.SourceSpan.Start))
                await ApplyAsync(editor, diagnostic, key, ct).ConfigureAwait(false);
            return editor.GetChangedDocument();
        }

        private sealed class FixAll : DocumentBasedFixAllProvider
        {
            private readonly KerasCodeFix _owner;

            public FixAll(KerasCodeFix owner) => _owner = owner;

            protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics)
            {
                if (diagnostics.IsEmpty || fixAllContext.CodeActionEquivalenceKey == null) return document;
                return await _owner.ApplyOneAsync(document, diagnostics, fixAllContext.CodeActionEquivalenceKey, fixAllContext.CancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }
}
