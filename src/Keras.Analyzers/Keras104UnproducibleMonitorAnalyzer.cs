using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS104: a callback given to Fit (EarlyStopping, ReduceLROnPlateau, ModelCheckpoint with saveBestOnly: true)
    /// monitors a log entry this Fit cannot produce: a <c>val_*</c> entry while the call passes no validation data and no
    /// validation split, or a metric name that the model's only Compile (constant metric names) does not log, such as
    /// Keras 2's <c>val_acc</c> for a model compiled with "accuracy". Only callbacks created in the call (or in a local
    /// assigned once) with a constant monitor are judged. The name the fit will log travels in
    /// <see cref="ReplacementProperty"/>; <see cref="InsertProperty"/> says the monitor was the default (the fix adds it).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnproducibleMonitorAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the monitor name the fit will log.</summary>
        public const string ReplacementProperty = "Replacement";

        /// <summary>Diagnostic property, "true" when the monitor was not written (the fix inserts <c>monitor:</c>).</summary>
        public const string InsertProperty = "Insert";

        private static readonly string[] Callbacks =
            { "Keras.Callbacks.EarlyStopping", "Keras.Callbacks.ReduceLROnPlateau", "Keras.Callbacks.ModelCheckpoint" };

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnproducibleMonitor);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras?.Model == null) return;
                var types = Callbacks.Select(keras.Type).Where(t => t != null).Select(t => t!).ToImmutableHashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
                if (types.IsEmpty) return;
                start.RegisterOperationAction(op => Analyze(op, keras, types), OperationKind.Invocation);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras, ImmutableHashSet<INamedTypeSymbol> callbackTypes)
        {
            var fit = (IInvocationOperation)op.Operation;
            if (fit.TargetMethod.Name != "Fit" || !keras.IsModel(fit.TargetMethod.ContainingType)) return;
            IArgumentOperation? callbacks = null;
            foreach (var a in fit.Arguments)
                if (a.Parameter?.Name == "callbacks" && !a.IsImplicit) callbacks = a;
            if (callbacks == null) return;
            var creations = Creations(callbacks.Value, callbackTypes).ToList();
            if (creations.Count == 0) return;

            bool? validation = HasValidation(fit);
            HashSet<string>? logged = null;
            bool loggedKnown = false;
            foreach (var creation in creations)
            {
                if (!Monitor(creation, out string monitor, out var monitorArgument)) continue;
                bool val = monitor.StartsWith("val_", System.StringComparison.Ordinal);
                string name = val ? monitor.Substring(4) : monitor;
                string callback = creation.Type!.Name;
                if (val && validation == false)
                {
                    if (!loggedKnown) { logged = LoggedNames(fit, keras); loggedKnown = true; }
                    string? replacement = name == "loss" || logged?.Contains(name) == true ? name : null;
                    Report(op, creation, monitorArgument, replacement,
                        $"{callback} monitors '{monitor}', but this Fit has no validation data (no validationData, no validationSplit): Fit never logs " +
                        $"'{monitor}', so the callback never acts. Monitor '{name}' or give Fit validation data.");
                    continue;
                }
                if (name == "loss" || KerasIdentifiers.Metrics.Resolve(name) == null) continue; // not a metric name we can judge
                if (!loggedKnown) { logged = LoggedNames(fit, keras); loggedKnown = true; }
                if (logged == null || logged.Contains(name)) continue;
                string target = KerasIdentifiers.Metrics.Resolve(name)!;
                string? same = logged.FirstOrDefault(l => KerasIdentifiers.Metrics.Resolve(l) == target);
                Report(op, creation, monitorArgument, same == null ? null : (val ? "val_" : "") + same,
                    $"{callback} monitors '{monitor}', but the model is compiled to log {(logged.Count == 0 ? "only 'loss'" : string.Join(", ", logged.Select(l => "'" + (val ? "val_" : "") + l + "'")))}" +
                    $": Keras 3 logs a metric under the name it was compiled with, so the callback never acts." +
                    (same != null ? $" Monitor '{(val ? "val_" : "") + same}'." : ""));
            }
        }

        private static void Report(OperationAnalysisContext op, IObjectCreationOperation creation, IArgumentOperation? monitorArgument, string? replacement, string message)
        {
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (replacement != null) properties = properties.Add(ReplacementProperty, replacement);
            if (monitorArgument == null) properties = properties.Add(InsertProperty, "true");
            var location = monitorArgument != null ? monitorArgument.Value.Syntax.GetLocation() : creation.Syntax.GetLocation();
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.UnproducibleMonitor, location, properties, message));
        }

        /// <summary>
        /// The callback creations of the argument (an array or collection expression written in place): created inline,
        /// or locals assigned once from one. Spread elements are not looked into.
        /// </summary>
        private static IEnumerable<IObjectCreationOperation> Creations(IOperation value, ImmutableHashSet<INamedTypeSymbol> types)
        {
            if (!KerasCollections.TryGetElements(value, out var elements)) yield break;
            foreach (var e in elements)
            {
                if (e is IObjectCreationOperation creation && creation.Type is INamedTypeSymbol t && types.Contains(t)) yield return creation;
                else if (e is ILocalReferenceOperation local && SingleCreation(local) is { } c && c.Type is INamedTypeSymbol lt && types.Contains(lt)) yield return c;
            }
        }

        private static IObjectCreationOperation? SingleCreation(ILocalReferenceOperation reference)
        {
            IObjectCreationOperation? creation = null;
            foreach (var op in KerasLocalModel.BodyOperations(reference))
            {
                if (op is IVariableDeclaratorOperation d && SymbolEqualityComparer.Default.Equals(d.Symbol, reference.Local))
                    creation = d.Initializer == null ? null : KerasContext.Unwrap(d.Initializer.Value) as IObjectCreationOperation;
                else if (op is IAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, reference.Local))
                    return null;
            }
            return creation;
        }

        /// <summary>The constant monitor (written, or the parameter's default), when it matters for this callback.</summary>
        private static bool Monitor(IObjectCreationOperation creation, out string monitor, out IArgumentOperation? written)
        {
            monitor = "";
            written = null;
            bool checkpoint = creation.Type!.Name == "ModelCheckpoint";
            bool saveBestOnly = false;
            foreach (var a in creation.Arguments)
            {
                if (a.Parameter == null) continue;
                if (a.Parameter.Name == "monitor")
                {
                    if (!a.IsImplicit) written = a;
                    var constant = KerasContext.Unwrap(a.Value).ConstantValue;
                    if (!constant.HasValue || constant.Value is not string m) return false;
                    monitor = m;
                }
                else if (a.Parameter.Name == "saveBestOnly")
                    saveBestOnly = KerasContext.Unwrap(a.Value).ConstantValue is { HasValue: true, Value: true };
            }
            return monitor.Length > 0 && (!checkpoint || saveBestOnly); // ModelCheckpoint looks at its monitor only to keep the best
        }

        /// <summary>False when the call certainly passes no validation data; null when it may.</summary>
        private static bool? HasValidation(IInvocationOperation fit)
        {
            bool any = false;
            foreach (var a in fit.Arguments)
            {
                if (a.Parameter == null) continue;
                if (a.Parameter.Name == "validationData")
                {
                    any = true;
                    if (!a.IsImplicit && KerasContext.Unwrap(a.Value) is not { ConstantValue: { HasValue: true, Value: null } } && a.Value is not IDefaultValueOperation)
                        return null;
                }
                else if (a.Parameter.Name == "validationSplit")
                {
                    any = true;
                    var constant = KerasContext.Unwrap(a.Value).ConstantValue;
                    if (!constant.HasValue || constant.Value is not (int or double or float) || System.Convert.ToDouble(constant.Value) != 0) return null;
                }
            }
            _ = any;
            return false;
        }

        /// <summary>
        /// Metric log names of the receiver's only Compile (names given as constants), or null when unknown: the receiver
        /// is not a local model whose whole life is in view, it is compiled more than once, or with objects.
        /// </summary>
        private static HashSet<string>? LoggedNames(IInvocationOperation fit, KerasContext keras)
        {
            var model = KerasLocalModel.TryCreate(fit.Instance, keras);
            if (model == null) return null;
            var compiles = model.CallsNamed("Compile").ToList();
            if (compiles.Count != 1) return null;
            var compile = compiles[0];
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var a in compile.Arguments)
            {
                if (a.Parameter == null) continue;
                if (a.Parameter.Name == "loss" && a.Parameter.Type.SpecialType != SpecialType.System_String) return null; // multi-output or objects
                if (a.Parameter.Name == "optimizer" && a.Parameter.Type.SpecialType != SpecialType.System_String) return null;
                if (a.Parameter.Name != "metrics" || a.IsImplicit) continue;
                if (KerasContext.Unwrap(a.Value).ConstantValue is { HasValue: true, Value: null }) continue;
                // An array or collection expression of constants: a spread or a non-constant element makes the list unknown.
                if (!KerasCollections.TryGetElements(a.Value, out var elements)) return null;
                foreach (var element in elements)
                {
                    if (element?.ConstantValue is not { HasValue: true, Value: string metric }) return null;
                    if (KerasIdentifiers.MetricLogName(metric) is not { } log) return null; // KERAS301's business
                    names.Add(log);
                }
            }
            return names;
        }
    }
}
