using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// Shared driver of KERAS002 and KERAS010: when a barrier call is seen, the control-flow graph of its method body
    /// (or top-level statements) is searched for objects created before the call and used after it; each barrier is
    /// reported once, naming those objects. Bodies without a barrier call cost one name comparison per call; a barrier that
    /// no creation can precede (checked on the operation tree) costs no graph.
    /// </summary>
    public abstract class KerasObjectFlowAnalyzerBase : DiagnosticAnalyzer
    {
        private protected abstract DiagnosticDescriptor Rule { get; }

        private protected abstract bool IsBarrier(KerasContext keras, IInvocationOperation invocation);

        private protected abstract string Message(IInvocationOperation barrier, string locals);

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        /// <summary>Runs when a barrier call is seen (rare): the graph of its method body comes from the driver's cache.</summary>
        private void Analyze(OperationAnalysisContext op, KerasContext keras, Func<IInvocationOperation, bool> isBarrier)
        {
            var barrier = (IInvocationOperation)op.Operation;
            if (!isBarrier(barrier)) return;
            if (!MayFollowACreation(barrier, keras)) return; // most bodies: no graph needed
            ControlFlowGraph cfg;
            try
            {
                cfg = op.GetControlFlowGraph();
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                return; // code with errors, or a context without a graph: nothing to say then
            }
            // One diagnostic per barrier call, naming every object it separates from its later use.
            var findings = KerasObjectFlow.Find(cfg, keras, isBarrier)
                .Where(f => f.Barrier.Syntax == barrier.Syntax)
                .OrderBy(f => f.Creation.Syntax.SpanStart)
                .ToList();
            if (findings.Count == 0) return;
            var names = findings.Select(f => f.Local.Name).Distinct().ToList();
            string locals = string.Join(", ", names.Select(n => "'" + n + "'"));
            op.ReportDiagnostic(Diagnostic.Create(Rule, barrier.Syntax.GetLocation(),
                findings.Select(f => f.Creation.Syntax.GetLocation()), Message(barrier, locals)));
        }

        /// <summary>
        /// Cheap pre-filter before the control-flow graph is built: a Keras object can be created before the barrier
        /// only if the body creates a layer earlier in the text, or the barrier can run again after a later creation (it
        /// sits in a loop, or the body jumps with goto). Barriers in lambdas and local functions are never in the graph
        /// the rule searches. False means the graph cannot yield a finding.
        /// </summary>
        private static bool MayFollowACreation(IInvocationOperation barrier, KerasContext keras)
        {
            for (var p = barrier.Parent; p != null; p = p.Parent)
            {
                if (p is IAnonymousFunctionOperation || p is ILocalFunctionOperation) return false;
                if (p is ILoopOperation) return true;
            }
            int position = barrier.Syntax.SpanStart;
            foreach (var op in KerasLocalModel.BodyOperations(barrier))
            {
                if (op is IBranchOperation { BranchKind: BranchKind.GoTo }) return true;
                if (op is IObjectCreationOperation creation && op.Syntax.SpanStart < position && keras.IsLayer(creation.Type)) return true;
            }
            return false;
        }

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null || keras.Layer == null) return;
                Func<IInvocationOperation, bool> isBarrier = i => IsBarrier(keras, i);
                start.RegisterOperationAction(op => Analyze(op, keras, isBarrier), OperationKind.Invocation);
            });
        }
    }
}
