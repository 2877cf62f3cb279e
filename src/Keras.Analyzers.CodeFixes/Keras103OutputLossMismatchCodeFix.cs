using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>
    /// KERAS103: a one-unit softmax becomes "sigmoid"; a multi-unit sigmoid with a categorical loss becomes "softmax";
    /// a softmax/sigmoid output with fromLogits: true gets fromLogits: false, or loses its output activation.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(OutputLossMismatchCodeFix)), Shared]
    public sealed class OutputLossMismatchCodeFix : KerasReplaceExpressionCodeFix
    {
        private const string ReplaceKey = "KERAS103.ReplaceActivation";
        private const string FlipKey = "KERAS103.FromLogitsFalse";
        private const string RemoveKey = "KERAS103.RemoveActivation";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.OutputLossMismatch.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (await FindExpressionAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            diagnostic.Properties.TryGetValue(OutputLossMismatchAnalyzer.FixProperty, out var fix);
            return fix switch
            {
                "Sigmoid" => ImmutableArray.Create(new Variant("Use \"sigmoid\"", ReplaceKey)),
                "Softmax" => ImmutableArray.Create(new Variant("Use \"softmax\"", ReplaceKey)),
                "FromLogits" => ImmutableArray.Create(new Variant("Set fromLogits: false", FlipKey), new Variant("Remove the output activation (the loss takes logits)", RemoveKey)),
                _ => ImmutableArray<Variant>.Empty,
            };
        }

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            diagnostic.Properties.TryGetValue(OutputLossMismatchAnalyzer.FixProperty, out var fix);
            switch (variantKey)
            {
                case ReplaceKey when fix == "Sigmoid": return await ReplaceAsync(editor, diagnostic, Literal("sigmoid"), ct).ConfigureAwait(false);
                case ReplaceKey when fix == "Softmax":
                {
                    // Reported at the loss; the output activation is the first additional location.
                    var location = diagnostic.AdditionalLocations.FirstOrDefault();
                    var root = location == null ? null : await editor.OriginalDocument.GetSyntaxRootAsync(ct).ConfigureAwait(false);
                    if (root?.FindNode(location!.SourceSpan, getInnermostNodeForTie: true) is not { } node) return false;
                    var expression = node is ArgumentSyntax a ? a.Expression : node as ExpressionSyntax;
                    if (expression == null) return false;
                    editor.ReplaceNode(expression, Microsoft.CodeAnalysis.CSharp.SyntaxFactory.ParseExpression(Literal("softmax")).WithTriviaFrom(expression));
                    return true;
                }
                case FlipKey when fix == "FromLogits": return await ReplaceAsync(editor, diagnostic, "false", ct).ConfigureAwait(false);
                case RemoveKey when fix == "FromLogits":
                {
                    var location = diagnostic.AdditionalLocations.FirstOrDefault();
                    if (location == null) return false;
                    var root = await editor.OriginalDocument.GetSyntaxRootAsync(ct).ConfigureAwait(false);
                    var node = root?.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
                    var argument = node as ArgumentSyntax ?? node?.FirstAncestorOrSelf<ArgumentSyntax>();
                    if (argument == null) return false;
                    editor.RemoveNode(argument);
                    return true;
                }
                default:
                    return false;
            }
        }
    }
}
