using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>What KERAS301/302's fixes share: the expression a diagnostic spans, replaced by C# source text.</summary>
    public abstract class KerasReplaceExpressionCodeFix : KerasCodeFix
    {
        /// <summary>The expression the diagnostic spans, or null.</summary>
        private protected static async Task<ExpressionSyntax?> FindExpressionAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var node = root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (node is ArgumentSyntax argument) return argument.Expression;
            return node as ExpressionSyntax;
        }

        /// <summary>Replaces the diagnostic's expression with <paramref name="replacement"/> (C# source), keeping its trivia.</summary>
        private protected static async Task<bool> ReplaceAsync(DocumentEditor editor, Diagnostic diagnostic, string replacement, CancellationToken ct)
        {
            if (await FindExpressionAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } expression) return false;
            editor.ReplaceNode(expression, SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(expression));
            return true;
        }

        /// <summary>A C# string literal.</summary>
        private protected static string Literal(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
    }
}
