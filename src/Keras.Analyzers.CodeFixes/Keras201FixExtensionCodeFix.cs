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
    /// <summary>KERAS201: rewrite the string literal that ends the path so it carries the extension Keras expects.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FixExtensionCodeFix)), Shared]
    public sealed class FixExtensionCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS201.FixExtension";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.FileExtension.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(FileExtensionAnalyzer.FixedPathProperty, out var path) || path == null)
                return ImmutableArray<Variant>.Empty;
            if (await FindLiteralAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            return ImmutableArray.Create(new Variant($"Use \"{path}\"", Key));
        }

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(FileExtensionAnalyzer.FixedPathProperty, out var path) || path == null) return false;
            if (await FindLiteralAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } literal) return false;
            bool verbatim = literal.Token.Text.StartsWith("@", System.StringComparison.Ordinal);
            var token = verbatim
                ? SyntaxFactory.Literal("@\"" + path.Replace("\"", "\"\"") + "\"", path)
                : SyntaxFactory.Literal(path);
            editor.ReplaceNode(literal, literal.WithToken(token.WithTriviaFrom(literal.Token)));
            return true;
        }

        private static async Task<LiteralExpressionSyntax?> FindLiteralAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            return root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) as LiteralExpressionSyntax;
        }
    }
}
