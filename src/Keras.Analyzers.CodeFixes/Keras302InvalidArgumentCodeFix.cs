using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>KERAS302: replace the rejected constant with the value clearly meant (a percentage written for a fraction: 20 → 0.2).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InvalidArgumentCodeFix)), Shared]
    public sealed class InvalidArgumentCodeFix : KerasReplaceExpressionCodeFix
    {
        private const string Key = "KERAS302.ClearlyMeant";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.InvalidArgument.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(InvalidArgumentAnalyzer.ReplacementProperty, out var value) || value == null)
                return ImmutableArray<Variant>.Empty;
            if (await FindExpressionAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            return ImmutableArray.Create(new Variant($"Replace with {value}", Key));
        }

        /// <inheritdoc />
        protected override Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct) =>
            diagnostic.Properties.TryGetValue(InvalidArgumentAnalyzer.ReplacementProperty, out var value) && value != null
                ? ReplaceAsync(editor, diagnostic, value, ct)
                : Task.FromResult(false);
    }
}
