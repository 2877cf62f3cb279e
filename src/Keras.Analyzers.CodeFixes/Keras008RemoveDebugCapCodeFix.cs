using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>KERAS008: remove the debug-only cap from non-test code.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveDebugCapCodeFix)), Shared]
    public sealed class RemoveDebugCapCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS008.RemoveCall";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.DebugCapOutsideTests.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct) =>
            await FindStatementAsync(document, diagnostic, ct).ConfigureAwait(false) == null
                ? ImmutableArray<Variant>.Empty
                : ImmutableArray.Create(new Variant("Remove the debug-only cap", Key));

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await FindStatementAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } statement) return false;
            editor.RemoveNode(statement, SyntaxRemoveOptions.KeepUnbalancedDirectives);
            return true;
        }

        /// <summary>The call's statement, when it can be removed on its own (in a block or at top level).</summary>
        private static async Task<ExpressionStatementSyntax?> FindStatementAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            return node?.Parent is ExpressionStatementSyntax statement && statement.Parent is BlockSyntax or GlobalStatementSyntax or SwitchSectionSyntax
                ? statement
                : null;
        }
    }
}
