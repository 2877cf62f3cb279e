using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS008: <c>SetMaxEpochs</c> / <c>SetMaxStepsPerEpoch</c> in code that is not test code. Keras documents the
    /// caps as "purely for debugging": left in an app they silently shorten every training run. Test code is a project
    /// that references a test framework (xunit, NUnit, MSTest, TUnit) or sets IsTestProject=true.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DebugCapOutsideTestsAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.DebugCapOutsideTests);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null || IsTestProject(start.Compilation, start.Options)) return;
                start.RegisterOperationAction(op =>
                {
                    var invocation = (IInvocationOperation)op.Operation;
                    string name = invocation.TargetMethod.Name;
                    if (name != KerasApi.SetMaxEpochs && name != KerasApi.SetMaxStepsPerEpoch) return;
                    if (!keras.IsConfigCall(invocation, name)) return;
                    var constant = KerasContext.FirstArgumentConstant(invocation);
                    if (constant is { HasValue: true, Value: null }) return; // SetMaxEpochs(null) removes a cap: fine anywhere
                    op.ReportDiagnostic(Diagnostic.Create(Descriptors.DebugCapOutsideTests, invocation.Syntax.GetLocation(),
                        $"Keras.Config.{name} caps every Fit in the process and is meant for debugging only; remove it from " +
                        $"non-test code (use the {(name == KerasApi.SetMaxEpochs ? "KERAS_MAX_EPOCHS" : "KERAS_MAX_STEPS_PER_EPOCH")} environment variable for a quick run)."));
                }, OperationKind.Invocation);
            });
        }

        private static bool IsTestProject(Compilation compilation, AnalyzerOptions options)
        {
            if (options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.IsTestProject", out var value) &&
                string.Equals(value, "true", StringComparison.OrdinalIgnoreCase))
                return true;
            return compilation.ReferencedAssemblyNames.Any(a => KerasContext.TestFrameworkAssemblies.Contains(a.Name));
        }
    }
}
