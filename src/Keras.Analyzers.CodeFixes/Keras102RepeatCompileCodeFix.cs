using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Text;

namespace Keras.Analyzers.CodeFixes
{
    /// <summary>KERAS102: repeat the previous <c>Compile(...)</c> call right after the change of Trainable.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RepeatCompileCodeFix)), Shared]
    public sealed class RepeatCompileCodeFix : KerasCodeFix
    {
        private const string Key = "KERAS102.RepeatCompile";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.TrainableChangedAfterCompile.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct) =>
            await PlanAsync(document, diagnostic, ct).ConfigureAwait(false) == null
                ? ImmutableArray<Variant>.Empty
                : ImmutableArray.Create(new Variant("Compile again after changing Trainable", Key));

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await PlanAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not var (statement, compile)) return false;
            editor.InsertAfter(statement, SyntaxFactory.ExpressionStatement(compile.WithoutTrivia())
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithTrailingTrivia(statement.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation));
            return true;
        }

        private static async Task<(StatementSyntax Statement, InvocationExpressionSyntax Compile)?> PlanAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(TrainableAfterCompileAnalyzer.CompileStartProperty, out var startText) ||
                !diagnostic.Properties.TryGetValue(TrainableAfterCompileAnalyzer.CompileLengthProperty, out var lengthText) ||
                !int.TryParse(startText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int start) ||
                !int.TryParse(lengthText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int length))
                return null;
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (root == null || start + length > root.FullSpan.End) return null;
            if (root.FindNode(new TextSpan(start, length), getInnermostNodeForTie: true) is not InvocationExpressionSyntax compile) return null;
            var assignment = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (assignment.Parent is not ExpressionStatementSyntax statement || statement.Parent is not (BlockSyntax or GlobalStatementSyntax or SwitchSectionSyntax))
                return null;
            if (statement.Parent is GlobalStatementSyntax) return null; // top-level: InsertAfter needs a member; keep it simple and safe
            return (statement, compile);
        }
    }
}
