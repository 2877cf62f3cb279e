using System.Collections.Immutable;
using System.Composition;
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
    /// <summary>KERAS001: use the mixed_float16 policy instead of floatx float16, or add it and keep floatx.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(Float16CodeFix)), Shared]
    public sealed class Float16CodeFix : KerasCodeFix
    {
        private const string ReplaceKey = "KERAS001.ReplaceWithMixedPolicy";
        private const string AddKey = "KERAS001.AddMixedPolicy";
        private const string PolicyCall = "Keras.Config.SetDtypePolicy(\"mixed_float16\")";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.Float16WithoutMixedPrecision.Id);

        /// <inheritdoc />
        protected override async Task<ImmutableArray<Variant>> VariantsAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (await FindCallAsync(document, diagnostic, ct).ConfigureAwait(false) is not { } call) return ImmutableArray<Variant>.Empty;
            var variants = ImmutableArray.CreateBuilder<Variant>();
            variants.Add(new Variant("Use Keras.Config.SetDtypePolicy(\"mixed_float16\") instead", ReplaceKey));
            if (call.Parent is ExpressionStatementSyntax) variants.Add(new Variant("Keep floatx and add Keras.Config.SetDtypePolicy(\"mixed_float16\")", AddKey));
            return variants.ToImmutable();
        }

        /// <inheritdoc />
        protected override async Task<bool> ApplyAsync(DocumentEditor editor, Diagnostic diagnostic, string variantKey, CancellationToken ct)
        {
            if (await FindCallAsync(editor.OriginalDocument, diagnostic, ct).ConfigureAwait(false) is not { } call) return false;
            var policy = SyntaxFactory.ParseExpression(PolicyCall).WithTriviaFrom(call);
            if (variantKey == ReplaceKey)
            {
                editor.ReplaceNode(call, policy);
                return true;
            }
            if (call.Parent is not ExpressionStatementSyntax statement) return false;
            editor.InsertAfter(statement, SyntaxFactory.ExpressionStatement(policy.WithoutTrivia())
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation));
            return true;
        }

        private static async Task<InvocationExpressionSyntax?> FindCallAsync(Document document, Diagnostic diagnostic, CancellationToken ct)
        {
            if (!diagnostic.Location.IsInSource) return null;
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            return root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) as InvocationExpressionSyntax;
        }
    }
}
