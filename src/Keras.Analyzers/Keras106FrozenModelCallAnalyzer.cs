using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS106: a model frozen with <c>Trainable = false</c> and then called symbolically (<c>baseModel.Call(inputs)</c>)
    /// without <c>training:</c>. Keras' fine-tuning guide calls it with <c>training=False</c>: otherwise its
    /// BatchNormalization layers run in training mode as soon as the model is unfrozen for fine-tuning, and their
    /// statistics drift. Judged in one body, in source order: the last constant <c>Trainable</c> assignment to the same
    /// local, parameter or field before the call is <c>false</c>. Triggered by symbolic Call invocations on a model; no
    /// graph is built.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class FrozenModelCallAnalyzer : DiagnosticAnalyzer
    {
        private const string KerasTensorType = "Keras.KerasTensor";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.FrozenModelCalledWithoutTrainingFalse);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                var kerasTensor = keras?.Type(KerasTensorType);
                if (keras?.Model == null || kerasTensor == null) return;
                start.RegisterOperationAction(op => Analyze(op, keras, kerasTensor), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras, INamedTypeSymbol kerasTensor)
        {
            var call = (IInvocationOperation)op.Operation;
            var method = call.TargetMethod;
            if (method.Name != "Call" || method.Parameters.Length != 2 || method.Parameters[1].Name != "training" ||
                !SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type, kerasTensor) || !keras.IsKerasApi(method)) return;
            if (call.Instance == null || !keras.IsModel(call.Instance.Type)) return;
            foreach (var argument in call.Arguments)
                if (argument.Parameter?.Name == "training" && !argument.IsImplicit) return; // training given (false, true or computed): intended
            var receiver = Symbol(call.Instance);
            if (receiver == null) return;

            ISimpleAssignmentOperation? lastFreeze = null;
            bool lastIsFalse = false;
            foreach (var descendant in KerasLocalModel.BodyOperations(call))
            {
                if (descendant.Syntax.SpanStart >= call.Syntax.SpanStart) continue;
                if (descendant is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Trainable" } property } assignment &&
                    keras.IsLayer(property.Property.ContainingType) && property.Instance != null &&
                    SymbolEqualityComparer.Default.Equals(Symbol(property.Instance), receiver) &&
                    (lastFreeze == null || assignment.Syntax.SpanStart > lastFreeze.Syntax.SpanStart))
                {
                    lastFreeze = assignment;
                    lastIsFalse = KerasContext.Unwrap(assignment.Value).ConstantValue is { HasValue: true, Value: false };
                }
            }
            if (lastFreeze == null || !lastIsFalse) return;
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.FrozenModelCalledWithoutTrainingFalse, call.Syntax.GetLocation(),
                new[] { lastFreeze.Syntax.GetLocation() },
                $"'{receiver.Name}' is frozen (Trainable = false) and called without training: false: its BatchNormalization layers will run in " +
                $"training mode once it is unfrozen for fine-tuning and their statistics will drift. Call {receiver.Name}.Call(..., training: false), " +
                "as Keras' transfer-learning guide does."));
        }

        private static ISymbol? Symbol(IOperation instance)
        {
            switch (KerasContext.Unwrap(instance))
            {
                case ILocalReferenceOperation local: return local.Local;
                case IParameterReferenceOperation parameter: return parameter.Parameter;
                case IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field: return field.Field;
                default: return null;
            }
        }
    }
}
