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
    /// reported once, naming those objects. Bodies without a barrier call cost one name comparison per call.
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
