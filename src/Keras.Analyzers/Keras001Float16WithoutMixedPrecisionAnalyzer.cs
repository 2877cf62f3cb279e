using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS001: floatx set to float16 (by <c>Keras.Config.SetFloatx("float16")</c> or by the project's keras.json)
    /// while nothing in the compilation selects a mixed-precision policy. A <c>SetDtypePolicy</c> call with a
    /// non-constant argument counts as selecting one (precision over recall). Both halves are reported where they
    /// are (the call, the keras.json value), not at compilation end, so the IDE shows them live and the fix applies.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class Float16WithoutMixedPrecisionAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.Float16WithoutMixedPrecision);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;
                var compilation = start.Compilation;
                // Computed at most once per compilation, and only when a float16 site exists.
                var selectsMixedPolicy = new Lazy<bool>(() => SelectsMixedPolicy(compilation, keras, start.CancellationToken),
                    LazyThreadSafetyMode.ExecutionAndPublication);

                start.RegisterOperationAction(op =>
                {
                    var invocation = (IInvocationOperation)op.Operation;
                    if (!keras.IsConfigCall(invocation, KerasApi.SetFloatx)) return;
                    if (KerasContext.FirstArgumentConstant(invocation) is not { HasValue: true, Value: "float16" }) return;
                    if (selectsMixedPolicy.Value) return;
                    op.ReportDiagnostic(Diagnostic.Create(Descriptors.Float16WithoutMixedPrecision, invocation.Syntax.GetLocation(),
                        "SetFloatx(\"float16\") without a mixed-precision policy: training in float16 is unstable. " +
                        "Use Keras.Config.SetDtypePolicy(\"mixed_float16\") (float16 compute, float32 variables) instead."));
                }, OperationKind.Invocation);

                var provider = start.Options.AnalyzerConfigOptionsProvider;
                start.RegisterAdditionalFileAction(file =>
                {
                    var configs = file.Options.AdditionalFiles
                        .Where(f => KerasJsonFiles.IsKerasConfig(f.Path, KerasJsonAnalyzer.Get(provider.GetOptions(f), KerasJsonFiles.KerasConfigMetadata)))
                        .ToList();
                    if (configs.Count != 1 || !ReferenceEquals(configs[0], file.AdditionalFile)) return;
                    var text = file.AdditionalFile.GetText(file.CancellationToken);
                    if (text == null) return;
                    var values = KerasJsonValidator.Validate(text.ToString(), checkedIn: true, new List<KerasJsonFinding>());
                    if (!values.IsValid || values.Floatx != "float16" || values.FloatxNode == null || selectsMixedPolicy.Value) return;
                    file.ReportDiagnostic(Diagnostic.Create(Descriptors.Float16WithoutMixedPrecision,
                        KerasJsonAnalyzer.LocationIn(file.AdditionalFile.Path, text, values.FloatxNode.Start.Offset, values.FloatxNode.Length),
                        "keras.json sets floatx to float16 but the project never selects a mixed-precision policy: training in float16 is unstable. " +
                        "Keep floatx float32 and call Keras.Config.SetDtypePolicy(\"mixed_float16\") at start-up."));
                });
            });
        }

        /// <summary>
        /// Does any code in the compilation call Keras.Config.SetDtypePolicy with a mixed policy or a non-constant
        /// argument? Only files whose text mentions SetDtypePolicy are bound.
        /// </summary>
        private static bool SelectsMixedPolicy(Compilation compilation, KerasContext keras, CancellationToken ct)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.GetText(ct).ToString().IndexOf(KerasApi.SetDtypePolicy, StringComparison.Ordinal) < 0) continue;
                SemanticModel? model = null;
                foreach (var call in tree.GetRoot(ct).DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    string? name = call.Expression switch
                    {
                        MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
                        IdentifierNameSyntax i => i.Identifier.ValueText,
                        _ => null,
                    };
                    if (name != KerasApi.SetDtypePolicy) continue;
#pragma warning disable RS1030 // Binding a few trees, lazily and only when a float16 site exists, is what answers "anywhere in the project".
                    model ??= compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                    if (model.GetOperation(call, ct) is not IInvocationOperation invocation || !keras.IsConfigCall(invocation, KerasApi.SetDtypePolicy)) continue;
                    var constant = KerasContext.FirstArgumentConstant(invocation);
                    if (constant is { HasValue: true, Value: string policy } && !policy.StartsWith("mixed_", StringComparison.Ordinal)) continue;
                    return true;
                }
            }
            return false;
        }
    }
}
