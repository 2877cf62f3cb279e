using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>KERAS003: replace the invalid argument with the nearest valid value the analyzer computed.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InvalidConfigArgumentCodeFix)), Shared]
    public sealed class InvalidConfigArgumentCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS003.ReplaceWithNearestValid";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.InvalidConfigArgument.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(InvalidConfigArgumentAnalyzer.ReplacementProperty, out var replacement) || replacement == null)
                return ImmutableArray<Variant>.Empty;
            if (await FindArgumentAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            return ImmutableArray.Create(new Variant($"Replace with {replacement}", Key));
        }

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(InvalidConfigArgumentAnalyzer.ReplacementProperty, out var replacement) || replacement == null) return false;
            if (await FindArgumentAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } argument) return false;
            editor.ReplaceNode(argument.Expression, SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(argument.Expression));
            return true;
        }

        private static async Task<ArgumentSyntax?> FindArgumentAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return node as ArgumentSyntax ?? node?.Parent as ArgumentSyntax;
        }
    }
}
