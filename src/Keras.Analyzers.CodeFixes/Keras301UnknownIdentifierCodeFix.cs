using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>KERAS301: replace the unknown name with the "did you mean" candidate (offered only when there is one).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnknownIdentifierCodeFix)), Shared]
    public sealed class UnknownIdentifierCodeFix : KerasReplaceExpressionCodeFix
    {
        private const string Key = "KERAS301.DidYouMean";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.UnknownIdentifier.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(UnknownIdentifierAnalyzer.ReplacementProperty, out var name) || name == null)
                return ImmutableArray<Variant>.Empty;
            if (await FindExpressionAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            return ImmutableArray.Create(new Variant($"Use \"{name}\"", Key));
        }

        /// <inheritdoc />
        protected override Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct) =>
            diagnostic.Properties.TryGetValue(UnknownIdentifierAnalyzer.ReplacementProperty, out var name) && name != null
                ? ReplaceAsync(editor, diagnostic, Literal(name), ct)
                : Task.FromResult(false);
    }
}
