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
    /// <summary>KERAS101: insert <c>Keras.Utils.ClearSession();</c> at the top of the loop body.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertClearSessionCodeFix)), Shared]
    public sealed class InsertClearSessionCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS101.InsertClearSession";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.ModelInLoopWithoutClearSession.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct) =>
            await FindLoopBodyAsync(document, diagnostic, ct).ConfigureAwait(false) == null
                ? ImmutableArray<Variant>.Empty
                : ImmutableArray.Create(new Variant("Call Keras.Utils.ClearSession() at the top of the loop", Key));

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await FindLoopBodyAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } body) return false;
            // The callback form composes with other edits inside the same body (nested loops in one Fix All).
            editor.ReplaceNode(body, (current, _) =>
            {
                var clear = SyntaxFactory.ParseStatement("Keras.Utils.ClearSession();");
                if (current is BlockSyntax block)
                {
                    var first = block.Statements.FirstOrDefault();
                    var lineEnd = first?.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) ?? default;
                    clear = clear
                        .WithLeadingTrivia(first?.GetLeadingTrivia() ?? SyntaxFactory.TriviaList(SyntaxFactory.ElasticMarker))
                        .WithTrailingTrivia(lineEnd.IsKind(SyntaxKind.EndOfLineTrivia) ? lineEnd : SyntaxFactory.ElasticCarriageReturnLineFeed);
                    return block.WithStatements(block.Statements.Insert(0, clear));
                }
                var statement = (StatementSyntax)current;
                return SyntaxFactory.Block(
                        clear.WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed),
                        statement.WithoutLeadingTrivia().WithTrailingTrivia(SyntaxFactory.ElasticCarriageReturnLineFeed))
                    .WithLeadingTrivia(statement.GetLeadingTrivia())
                    .WithTrailingTrivia(statement.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation);
            });
            return true;
        }

        private static async Task<StatementSyntax?> FindLoopBodyAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            foreach (var ancestor in node?.AncestorsAndSelf() ?? Enumerable.Empty<SyntaxNode>())
            {
                if (ancestor is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) return null;
                switch (ancestor)
                {
                    case ForStatementSyntax f: return f.Statement;
                    case CommonForEachStatementSyntax f: return f.Statement;
                    case WhileStatementSyntax w: return w.Statement;
                    case DoStatementSyntax d: return d.Statement;
                }
            }
            return null;
        }
    }
}
