using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS105: Fit, Evaluate or TrainOnBatch on a model that no path compiles: a local created here with <c>new</c> of
    /// a Keras model type (Sequential, Functional), never handed to other code, and never the receiver of Compile. The
    /// runtime throws "You must call compile() before using the model". Models passed in, returned by LoadModel (which
    /// compiles) or stored elsewhere stay silent. No control-flow graph is built: the trigger is a Fit/Evaluate/
    /// TrainOnBatch call on a local, then one walk of the body.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NotCompiledAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.NotCompiled);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras?.Model == null) return;
                start.RegisterOperationAction(op => Analyze(op, keras), OperationKind.Invocation);
            });
        }

        internal static bool NeedsCompile(string name) => name == "Fit" || name == "Evaluate" || name == "TrainOnBatch";

        private static void Analyze(OperationAnalysisContext op, KerasContext keras)
        {
            var invocation = (IInvocationOperation)op.Operation;
            if (!NeedsCompile(invocation.TargetMethod.Name) || invocation.Instance is not { } instance) return;
            if (!keras.IsModel(invocation.TargetMethod.ContainingType)) return;
            var model = KerasLocalModel.TryCreate(instance, keras);
            if (model == null) return;
            foreach (var _ in model.CallsNamed("Compile")) return;
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.NotCompiled, invocation.Syntax.GetLocation(), new[] { model.Creation.Syntax.GetLocation() },
                $"'{model.Local.Name}' is never compiled: {invocation.TargetMethod.Name} throws \"You must call `compile()` before using the model.\" " +
                $"Call {model.Local.Name}.Compile(optimizer, loss, metrics) first."));
        }
    }
}
