using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS103: the output layer and the loss disagree. (1) <c>Dense(1, activation: "softmax")</c> anywhere: a softmax
    /// over one unit is always 1.0. (2) For a local Sequential whose last layer is known (the last element of the
    /// constructor's layer array, or the last <c>Add</c>) and whose loss in its only Compile is known: a softmax or
    /// sigmoid output with a loss object built with <c>fromLogits: true</c> (the activation is applied twice), and a
    /// sigmoid output over several units with categorical cross-entropy. Constants only; user activations, models passed
    /// in and losses not written here stay silent.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OutputLossMismatchAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: which fix applies ("Sigmoid", "Softmax", or "FromLogits").</summary>
        public const string FixProperty = "Fix";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.OutputLossMismatch);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                var dense = keras?.Type("Keras.Layers.Dense");
                if (keras?.Model == null || dense == null) return;
                start.RegisterOperationAction(op => AnalyzeDense(op, dense), OperationKind.ObjectCreation);
                start.RegisterOperationAction(op => AnalyzeCompile(op, keras, dense), OperationKind.Invocation);
            });
        }

        /// <summary>Units and activation of a Dense creation, when both are constants.</summary>
        private static bool DenseOutput(IOperation? operation, INamedTypeSymbol dense, out int units, out string? activation, out IArgumentOperation? activationArgument)
        {
            units = 0;
            activation = null;
            activationArgument = null;
            if (operation == null || KerasContext.Unwrap(operation) is not IObjectCreationOperation creation ||
                !SymbolEqualityComparer.Default.Equals(creation.Type, dense)) return false;
            bool unitsKnown = false;
            foreach (var a in creation.Arguments)
            {
                if (a.Parameter?.Name == "units" && KerasContext.Unwrap(a.Value).ConstantValue is { HasValue: true, Value: int u }) { units = u; unitsKnown = true; }
                if (a.Parameter?.Name == "activation")
                {
                    if (!a.IsImplicit) activationArgument = a;
                    var c = KerasContext.Unwrap(a.Value).ConstantValue;
                    if (!c.HasValue) return false;
                    activation = c.Value is string s ? KerasIdentifiers.Activations.Resolve(s) : null;
                }
            }
            return unitsKnown;
        }

        private static void AnalyzeDense(OperationAnalysisContext op, INamedTypeSymbol dense)
        {
            if (!SymbolEqualityComparer.Default.Equals(op.Operation.Type, dense)) return;
            if (!DenseOutput(op.Operation, dense, out int units, out string? activation, out var argument) || units != 1 || activation != "softmax" || argument == null) return;
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.OutputLossMismatch, argument.Value.Syntax.GetLocation(),
                ImmutableDictionary<string, string?>.Empty.Add(FixProperty, "Sigmoid"),
                "A softmax over a single unit always outputs 1.0, so the model cannot learn. For one probability use \"sigmoid\" (with " +
                "binary_crossentropy); for several classes give the layer one unit per class."));
        }

        private static void AnalyzeCompile(OperationAnalysisContext op, KerasContext keras, INamedTypeSymbol dense)
        {
            var compile = (IInvocationOperation)op.Operation;
            if (compile.TargetMethod.Name != "Compile" || !keras.IsModel(compile.TargetMethod.ContainingType)) return;
            IArgumentOperation? lossArgument = compile.Arguments.FirstOrDefault(a => a.Parameter?.Name == "loss" && !a.IsImplicit);
            if (lossArgument == null) return;
            // The loss: a name, or a cross-entropy object with a constant fromLogits.
            var loss = KerasContext.Unwrap(lossArgument.Value);
            string? lossName = null;
            IArgumentOperation? fromLogits = null;
            bool logits = false;
            if (loss.ConstantValue is { HasValue: true, Value: string name })
                lossName = KerasIdentifiers.Losses.Resolve(name);
            else if (loss is IObjectCreationOperation lossCreation && keras.IsKerasApi(lossCreation.Type))
            {
                lossName = lossCreation.Type!.Name;
                foreach (var a in lossCreation.Arguments)
                    if (a.Parameter?.Name == "fromLogits")
                    {
                        if (KerasContext.Unwrap(a.Value).ConstantValue is not { HasValue: true, Value: bool b }) return;
                        logits = b;
                        if (!a.IsImplicit) fromLogits = a;
                    }
            }
            if (lossName == null) return;

            // Only a fromLogits: true loss object, or a categorical loss (for a sigmoid output), can disagree with the output:
            // decided before the body is looked at.
            bool categorical = lossName == "categorical_crossentropy" || lossName == "CategoricalCrossentropy" ||
                               lossName == "sparse_categorical_crossentropy" || lossName == "SparseCategoricalCrossentropy";
            if (!(logits && fromLogits != null) && !(categorical && !logits)) return;

            var model = KerasLocalModel.TryCreate(compile.Instance, keras);
            if (model == null || model.CallsNamed("Compile").Count() != 1 || model.Creation.Type?.Name != "Sequential") return;
            var last = LastLayer(model);
            if (!DenseOutput(last, dense, out int units, out string? activation, out var activationArgument) || activationArgument == null) return;
            if (activation != "softmax" && activation != "sigmoid") return;

            if (logits && fromLogits != null)
            {
                op.ReportDiagnostic(Diagnostic.Create(Descriptors.OutputLossMismatch, fromLogits.Value.Syntax.GetLocation(),
                    new[] { activationArgument.Value.Syntax.GetLocation() }, ImmutableDictionary<string, string?>.Empty.Add(FixProperty, "FromLogits"),
                    $"The output layer already applies {activation}, and the loss is told its inputs are logits (fromLogits: true): the {activation} is " +
                    $"applied twice and the model trains badly. Set fromLogits: false, or remove the output activation."));
                return;
            }
            if (activation == "sigmoid" && units > 1 && categorical && !logits)
                op.ReportDiagnostic(Diagnostic.Create(Descriptors.OutputLossMismatch, lossArgument.Value.Syntax.GetLocation(),
                    new[] { activationArgument.Value.Syntax.GetLocation() }, ImmutableDictionary<string, string?>.Empty.Add(FixProperty, "Softmax"),
                    $"A sigmoid output over {units.ToString(CultureInfo.InvariantCulture)} units with a categorical cross-entropy: the outputs are not a " +
                    "distribution over the classes. Use \"softmax\" for one class per sample, or binary_crossentropy for independent labels."));
        }

        /// <summary>The last layer written for the model: the constructor array's last element, or the last Add's argument.</summary>
        private static IOperation? LastLayer(KerasLocalModel model)
        {
            var adds = model.CallsNamed("Add").ToList();
            if (adds.Count > 0)
                return adds.OrderBy(a => a.Syntax.SpanStart).Last().Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value;
            var layers = model.Creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "layers" && !a.IsImplicit);
            if (layers == null || KerasContext.Unwrap(layers.Value) is not IArrayCreationOperation { Initializer: { } initializer } || initializer.ElementValues.Length == 0)
                return null;
            return initializer.ElementValues[initializer.ElementValues.Length - 1];
        }
    }
}
