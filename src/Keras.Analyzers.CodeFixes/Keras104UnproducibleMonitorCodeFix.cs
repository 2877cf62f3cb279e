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
    /// <summary>KERAS104: monitor the name the fit will log (rewrites the monitor, or adds <c>monitor:</c> where the default was used).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnproducibleMonitorCodeFix)), Shared]
    public sealed class UnproducibleMonitorCodeFix : KerasReplaceExpressionCodeFix
    {
        private const string Key = "KERAS104.MonitorLoggedName";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.UnproducibleMonitor.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(UnproducibleMonitorAnalyzer.ReplacementProperty, out var name) || name == null)
                return ImmutableArray<Variant>.Empty;
            if (await FindExpressionAsync(document, diagnostic, ct).ConfigureAwait(false) == null) return ImmutableArray<Variant>.Empty;
            return ImmutableArray.Create(new Variant($"Monitor \"{name}\"", Key));
        }

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (!diagnostic.Properties.TryGetValue(UnproducibleMonitorAnalyzer.ReplacementProperty, out var name) || name == null) return false;
            if (!diagnostic.Properties.ContainsKey(UnproducibleMonitorAnalyzer.InsertProperty))
                return await ReplaceAsync(editor, diagnostic, Literal(name), ct).ConfigureAwait(false);
            if (await FindExpressionAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not BaseObjectCreationExpressionSyntax creation) return false;
            var argument = SyntaxFactory.Argument(SyntaxFactory.NameColon("monitor"), default, SyntaxFactory.ParseExpression(Literal(name)));
            var list = creation.ArgumentList ?? SyntaxFactory.ArgumentList();
            editor.ReplaceNode(creation, creation.WithArgumentList(list.AddArguments(argument)));
            return true;
        }
    }
}
