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
    /// <summary>KERAS106: add <c>training: false</c> to the frozen model's symbolic call.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddTrainingFalseCodeFix)), Shared]
    public sealed class AddTrainingFalseCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS106.AddTrainingFalse";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.FrozenModelCalledWithoutTrainingFalse.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct) =>
            await FindAsync(document, diagnostic, ct).ConfigureAwait(false) == null
                ? ImmutableArray<Variant>.Empty
                : ImmutableArray.Create(new Variant("Add training: false", Key));

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await FindAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } invocation) return false;
            var argument = SyntaxFactory.Argument(SyntaxFactory.NameColon("training"), default,
                SyntaxFactory.LiteralExpression(SyntaxKind.FalseLiteralExpression));
            editor.ReplaceNode(invocation, invocation.WithArgumentList(invocation.ArgumentList.AddArguments(argument)));
            return true;
        }

        private static async Task<InvocationExpressionSyntax?> FindAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return node as InvocationExpressionSyntax ?? node?.FirstAncestorOrSelf<InvocationExpressionSyntax>();
        }
    }
}
