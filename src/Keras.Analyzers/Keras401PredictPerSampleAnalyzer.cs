using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS401: <c>model.Predict(...)</c> inside a loop that steps one sample at a time: the loop is a <c>for</c> whose
    /// variable moves by 1 (or a <c>foreach</c> over <c>Enumerable.Range</c>), and the argument selects sample
    /// <c>i</c> of a tensor (<c>x[i]</c>, <c>x.narrow(0, i, 1)</c>, <c>x.slice(0, i, i + 1, 1)</c>, possibly
    /// unsqueezed). Loops over batches (<c>i += batch</c>, lists of tensors) stay silent. Triggered by Predict calls
    /// on a Keras model, then a walk up the enclosing operations: no graph is built.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class PredictPerSampleAnalyzer : DiagnosticAnalyzer
    {
        private const string TensorType = "TorchSharp.torch+Tensor";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.PredictPerSample);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                var tensor = keras?.Type(TensorType);
                if (keras?.Model == null || tensor == null) return;
                start.RegisterOperationAction(op => Analyze(op, keras, tensor), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras, INamedTypeSymbol tensor)
        {
            var predict = (IInvocationOperation)op.Operation;
            if (predict.TargetMethod.Name != "Predict" || !keras.IsModel(predict.TargetMethod.ContainingType)) return;
            if (predict.Arguments.Length == 0 || predict.Arguments[0].Parameter?.Ordinal != 0) return;
            for (IOperation? p = predict.Parent; p != null; p = p.Parent)
            {
                if (p is IAnonymousFunctionOperation || p is ILocalFunctionOperation) return;
                if (p is not ILoopOperation loop) continue;
                var index = StepVariable(loop);
                if (index != null && SelectsOneSample(predict.Arguments[0].Value, index, tensor))
                {
                    op.ReportDiagnostic(Diagnostic.Create(Descriptors.PredictPerSample, predict.Syntax.GetLocation(),
                        new[] { loop.Syntax.GetLocation() },
                        "Predict is called on one sample per iteration: each call sets up a whole prediction loop. Call Predict once on all the " +
                        "samples (it batches them; pass batchSize:), or, for a few samples in a loop, call the model directly (model.Call(x)), as Keras advises."));
                    return;
                }
            }
        }

        /// <summary>The loop's variable when it moves by exactly 1 per iteration, else null.</summary>
        private static ILocalSymbol? StepVariable(ILoopOperation loop)
        {
            switch (loop)
            {
                case IForLoopOperation forLoop:
                    foreach (var step in forLoop.AtLoopBottom)
                    {
                        var s = step is IExpressionStatementOperation statement ? statement.Operation : step;
                        if (s is IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target }) return target.Local;
                        if (s is ICompoundAssignmentOperation { Target: ILocalReferenceOperation t, Value: var v } && v.ConstantValue is { HasValue: true, Value: 1 })
                            return t.Local;
                    }
                    return null;
                case IForEachLoopOperation forEach when KerasContext.Unwrap(forEach.Collection) is IInvocationOperation
                {
                    TargetMethod: { Name: "Range", ContainingType.Name: "Enumerable" }
                } && forEach.LoopControlVariable is IVariableDeclaratorOperation declarator:
                    return declarator.Symbol;
                default:
                    return null;
            }
        }

        /// <summary>x[i], x.narrow(0, i, 1), x.slice(0, i, i + 1, 1) on a tensor, possibly with unsqueeze/reshape/to around it.</summary>
        private static bool SelectsOneSample(IOperation argument, ILocalSymbol index, INamedTypeSymbol tensor)
        {
            var value = KerasContext.Unwrap(argument);
            for (int depth = 0; depth < 4; depth++)
            {
                switch (value)
                {
                    case IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1 } indexer
                        when IsTensor(indexer.Instance, tensor) && IsIndex(indexer.Arguments[0].Value, index):
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "narrow", Arguments.Length: 3 } narrow
                        when IsTensor(narrow.Instance, tensor) && IsIndex(narrow.Arguments[1].Value, index) &&
                             KerasContext.Unwrap(narrow.Arguments[2].Value).ConstantValue is { HasValue: true, Value: 1 or 1L }:
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "slice", Arguments.Length: 4 } slice
                        when IsTensor(slice.Instance, tensor) && IsIndex(slice.Arguments[1].Value, index) &&
                             KerasContext.Unwrap(slice.Arguments[2].Value) is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add } end &&
                             IsIndex(end.LeftOperand, index) && KerasContext.Unwrap(end.RightOperand).ConstantValue is { HasValue: true, Value: 1 or 1L }:
                        return true;
                    case IInvocationOperation { TargetMethod.Name: "unsqueeze" or "reshape" or "to" or "view" or "unsqueeze_" } wrapper when wrapper.Instance != null:
                        value = KerasContext.Unwrap(wrapper.Instance);
                        continue;
                }
                return false;
            }
            return false;
        }

        private static bool IsTensor(IOperation? operation, INamedTypeSymbol tensor) =>
            operation?.Type is { } type && SymbolEqualityComparer.Default.Equals(type, tensor);

        private static bool IsIndex(IOperation value, ILocalSymbol index)
        {
            var v = value;
            while (v is IConversionOperation conversion) v = conversion.Operand;
            return v is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, index);
        }
    }
}
