using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS102: <c>Trainable</c> is assigned on a model (or on one of its layers reached through it) after the model
    /// was compiled, and the same model is then trained (Fit / TrainOnBatch) with no Compile of it in between. Compile
    /// freezes the trainable state, so the change has no effect (Keras FAQ). Order follows the control-flow graph. Not
    /// reported when another model is compiled between the change and the training: that is the GAN idiom (the
    /// discriminator is frozen on purpose for the combined model, and keeps training as compiled).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TrainableAfterCompileAnalyzer : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic properties: where the previous Compile call is (for the fix that repeats it).</summary>
        public const string CompileStartProperty = "CompileStart";

        /// <summary>Length of the previous Compile call.</summary>
        public const string CompileLengthProperty = "CompileLength";

        private enum Kind
        {
            Compile,
            Train,
            SetTrainable,
        }

        private readonly struct Event
        {
            public Event(Kind kind, ISymbol symbol, IOperation operation)
            {
                Kind = kind;
                Symbol = symbol;
                Operation = operation;
            }

            public Kind Kind { get; }
            public ISymbol Symbol { get; }
            public IOperation Operation { get; }
        }

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.TrainableChangedAfterCompile);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras?.Model == null || keras.Layer == null) return;
                // Triggered by assignments to Trainable (rare); the graph of the body comes from the driver's cache.
                start.RegisterOperationAction(op => Analyze(op, keras), OperationKind.SimpleAssignment);
            });
        }

        private static void Analyze(OperationAnalysisContext op, KerasContext keras)
        {
            var assignment = (ISimpleAssignmentOperation)op.Operation;
            if (!IsTrainable(assignment.Target, keras, out var symbol)) return;
            if (!CompilesAndTrains(assignment, keras)) return; // no graph for bodies that cannot yield a finding
            ControlFlowGraph cfg;
            try
            {
                cfg = op.GetControlFlowGraph();
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                return;
            }
            var blocks = cfg.Blocks;
            var events = CfgEvents.PerBlock<Event>(blocks, (o, list) => Collect(o, keras, list));

            // The CFG holds rewritten operations: find this assignment's event by syntax.
            (int Block, int Index)? self = null;
            for (int b = 0; b < blocks.Length && self == null; b++)
                for (int i = 0; i < events[b].Count; i++)
                    if (events[b][i].Kind == Kind.SetTrainable && events[b][i].Operation.Syntax == assignment.Syntax) { self = (b, i); break; }
            if (self == null) return;

            // 1. A Compile of the same model must reach this assignment.
            IOperation? compile = null;
            for (int b = 0; b < blocks.Length && compile == null; b++)
                for (int i = 0; i < events[b].Count && compile == null; i++)
                {
                    var e = events[b][i];
                    if (e.Kind == Kind.Compile && SymbolEqualityComparer.Default.Equals(e.Symbol, symbol) && Reaches(blocks, events, (b, i + 1), self.Value, symbol))
                        compile = e.Operation;
                }
            if (compile == null) return;

            // 2. From the assignment, a Fit/TrainOnBatch of the same model reached before any Compile (of it or of another model).
            var train = FindTraining(blocks, events, (self.Value.Block, self.Value.Index + 1), symbol);
            if (train == null) return;

            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(CompileStartProperty, compile.Syntax.SpanStart.ToString(CultureInfo.InvariantCulture))
                .Add(CompileLengthProperty, compile.Syntax.Span.Length.ToString(CultureInfo.InvariantCulture));
            op.ReportDiagnostic(Diagnostic.Create(Descriptors.TrainableChangedAfterCompile, assignment.Syntax.GetLocation(),
                new[] { train.Syntax.GetLocation(), compile.Syntax.GetLocation() }, properties,
                $"'{symbol.Name}' was compiled before this change of Trainable and is trained without compiling again: Compile froze which " +
                "weights are trained, so this change has no effect until the next Compile. Call Compile again after changing Trainable."));
        }

        /// <summary>Cheap pre-filter on the operation tree: the body calls both Compile and Fit/TrainOnBatch on some model.</summary>
        private static bool CompilesAndTrains(IOperation assignment, KerasContext keras)
        {
            bool compiles = false, trains = false;
            foreach (var op in KerasLocalModel.BodyOperations(assignment))
            {
                if (op is not IInvocationOperation invocation) continue;
                string name = invocation.TargetMethod.Name;
                if (name != "Compile" && name != "Fit" && name != "TrainOnBatch") continue;
                if (!keras.IsModel(invocation.TargetMethod.ContainingType)) continue;
                if (name == "Compile") compiles = true;
                else trains = true;
                if (compiles && trains) return true;
            }
            return false;
        }

        private static bool Reaches(System.Collections.Immutable.ImmutableArray<BasicBlock> blocks, List<Event>[] events, (int Block, int Index) from,
            (int Block, int Index) target, ISymbol symbol)
        {
            var visited = new HashSet<(int, int)>();
            var work = new Stack<(int Block, int Index)>();
            work.Push(from);
            while (work.Count > 0)
            {
                var (b, i) = work.Pop();
                if (!visited.Add((b, i))) continue;
                if ((b, i) == target) return true;
                if (i < events[b].Count)
                {
                    var e = events[b][i];
                    if (e.Kind == Kind.Compile && SymbolEqualityComparer.Default.Equals(e.Symbol, symbol)) continue; // a later Compile is the one that counts
                    work.Push((b, i + 1));
                    continue;
                }
                foreach (int successor in CfgEvents.Successors(blocks[b])) work.Push((successor, 0));
            }
            return false;
        }

        private static IOperation? FindTraining(System.Collections.Immutable.ImmutableArray<BasicBlock> blocks, List<Event>[] events, (int Block, int Index) from, ISymbol symbol)
        {
            var visited = new HashSet<(int, int)>();
            var work = new Stack<(int Block, int Index)>();
            work.Push(from);
            while (work.Count > 0)
            {
                var (b, i) = work.Pop();
                if (!visited.Add((b, i))) continue;
                if (i < events[b].Count)
                {
                    var e = events[b][i];
                    if (e.Kind == Kind.Compile) continue; // recompiled, or another model compiled (GAN idiom)
                    if (e.Kind == Kind.Train && SymbolEqualityComparer.Default.Equals(e.Symbol, symbol)) return e.Operation;
                    work.Push((b, i + 1));
                    continue;
                }
                foreach (int successor in CfgEvents.Successors(blocks[b])) work.Push((successor, 0));
            }
            return null;
        }

        private static void Collect(IOperation operation, KerasContext keras, List<Event> list)
        {
            switch (operation)
            {
                case IFlowAnonymousFunctionOperation:
                case IAnonymousFunctionOperation:
                case ILocalFunctionOperation:
                    return;
                case ISimpleAssignmentOperation assignment:
                    Collect(assignment.Value, keras, list);
                    if (IsTrainable(assignment.Target, keras, out var trainableOwner)) list.Add(new Event(Kind.SetTrainable, trainableOwner, assignment));
                    return;
                case IInvocationOperation invocation:
                    if (invocation.Instance != null) Collect(invocation.Instance, keras, list);
                    foreach (var argument in invocation.Arguments) Collect(argument, keras, list);
                    if (keras.IsModel(invocation.TargetMethod.ContainingType) && Root(invocation.Instance) is { } owner)
                    {
                        string name = invocation.TargetMethod.Name;
                        if (name == "Compile") list.Add(new Event(Kind.Compile, owner, invocation));
                        else if (name == "Fit" || name == "TrainOnBatch") list.Add(new Event(Kind.Train, owner, invocation));
                    }
                    return;
            }
            foreach (var child in operation.ChildOperations) Collect(child, keras, list);
        }

        /// <summary>A Trainable property assignment on a Keras layer or model; <paramref name="owner"/> is the local, parameter or field it hangs off.</summary>
        private static bool IsTrainable(IOperation target, KerasContext keras, out ISymbol owner)
        {
            owner = null!;
            if (target is not IPropertyReferenceOperation { Property.Name: "Trainable" } property) return false;
            if (!keras.IsLayer(property.Property.ContainingType)) return false;
            var root = Root(property.Instance);
            if (root == null) return false;
            owner = root;
            return true;
        }

        /// <summary>The local, parameter or field at the start of a receiver chain (model, model.Layers[0], model.GetLayer("x")).</summary>
        private static ISymbol? Root(IOperation? instance)
        {
            while (instance != null)
            {
                switch (instance)
                {
                    case ILocalReferenceOperation local: return local.Local;
                    case IParameterReferenceOperation parameter: return parameter.Parameter;
                    case IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation: return field.Field;
                    case IPropertyReferenceOperation property: instance = property.Instance; break;
                    case IInvocationOperation invocation: instance = invocation.Instance; break;
                    case IConversionOperation conversion: instance = conversion.Operand; break;
                    case IFlowCaptureReferenceOperation: return null;
                    default: return null;
                }
            }
            return null;
        }
    }
}
