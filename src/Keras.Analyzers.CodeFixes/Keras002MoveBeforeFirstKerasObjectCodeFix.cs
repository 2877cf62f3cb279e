using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>
    /// KERAS002 and KERAS010: move the SetBackend / config call before the statement that creates the method's first
    /// Keras object. Offered only when that is safe to do mechanically: the call is a statement of its own in the same
    /// statement list as (and after) that first creation, and its arguments are constants.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveBeforeFirstKerasObjectCodeFix)), Shared]
    public sealed class MoveBeforeFirstKerasObjectCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS002.MoveBeforeFirstKerasObject";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(Descriptors.SetBackendWithLiveObjects.Id, Descriptors.ConfigAfterObjects.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct) =>
            await PlanAsync(document, diagnostic, ct).ConfigureAwait(false) == null
                ? ImmutableArray<Variant>.Empty
                : ImmutableArray.Create(new Variant("Move before the first Keras object of the method", Key));

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await PlanAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not var (statement, anchor)) return false;
            editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            editor.InsertBefore(anchor, statement.WithLeadingTrivia(anchor.GetLeadingTrivia()).WithAdditionalAnnotations(Formatter.Annotation));
            return true;
        }

        /// <summary>(the call's statement, the statement to put it before), or null when no safe move exists.</summary>
        private static async Task<(SyntaxNode Statement, SyntaxNode Anchor)?> PlanAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root == null || model == null) return null;
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call) return null;
            if (call.Parent is not ExpressionStatementSyntax statement) return null;
            if (call.ArgumentList.Arguments.Any(a => !model.GetConstantValue(a.Expression, ct).HasValue)) return null;

            var layer = model.Compilation.GetTypeByMetadataName(KerasApi.Layer);
            if (layer == null) return null;
            SyntaxList<StatementSyntax> list;
            switch (statement.Parent)
            {
                case BlockSyntax block:
                    list = block.Statements;
                    break;
                case GlobalStatementSyntax global when global.Parent is CompilationUnitSyntax unit:
                    return PlanTopLevel(unit, global, model, layer, ct);
                default:
                    return null;
            }
            int index = list.IndexOf(statement);
            for (int i = 0; i < index; i++)
                if (CreatesKerasObject(list[i], model, layer, ct)) return (statement, list[i]);
            return null;
        }

        /// <summary>Top-level statements: move the whole global statement among the compilation unit's members.</summary>
        private static (SyntaxNode, SyntaxNode)? PlanTopLevel(CompilationUnitSyntax unit, GlobalStatementSyntax global,
            SemanticModel model, INamedTypeSymbol layer, CancellationToken ct)
        {
            foreach (var member in unit.Members)
            {
                if (member == global) return null;
                if (member is GlobalStatementSyntax g && CreatesKerasObject(g.Statement, model, layer, ct)) return (global, g);
            }
            return null;
        }

        private static bool CreatesKerasObject(SyntaxNode node, SemanticModel model, INamedTypeSymbol layer, CancellationToken ct)
        {
            foreach (var creation in node.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax and not LocalFunctionStatementSyntax)
                         .OfType<BaseObjectCreationExpressionSyntax>())
            {
                for (var t = model.GetTypeInfo(creation, ct).Type; t != null; t = t.BaseType)
                    if (SymbolEqualityComparer.Default.Equals(t, layer)) return true;
            }
            return false;
        }
    }
}
