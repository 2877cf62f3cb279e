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
    /// Shared driver of KERAS002 and KERAS010: per method body (and top-level statements), a control-flow graph is built
    /// only when the body creates a Keras object and contains a barrier call; then every barrier lying between the
    /// creation of an object and a later use of it is reported once.
    /// </summary>
    public abstract class KerasObjectFlowAnalyzerBase : DiagnosticAnalyzer
    {
        /// <summary>Diagnostic property: the names of the locals created before the barrier, comma-separated.</summary>
        public const string LocalsProperty = "Locals";

        private protected abstract DiagnosticDescriptor Rule { get; }

        private protected abstract bool IsBarrier(KerasContext keras, IInvocationOperation invocation);

        private protected abstract string Message(IInvocationOperation barrier, string locals);

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

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
                start.RegisterOperationBlockAction(block =>
                {
                    foreach (var root in block.OperationBlocks)
                    {
                        if (!KerasObjectFlow.MayApply(root, keras, isBarrier)) continue;
                        ControlFlowGraph cfg;
                        try
                        {
                            cfg = block.GetControlFlowGraph(root);
                        }
                        catch (ArgumentException)
                        {
                            continue; // code with errors can have no graph; nothing to say then
                        }
                        // One diagnostic per barrier call, naming every object it separates from its later use.
                        foreach (var group in KerasObjectFlow.Find(cfg, keras, isBarrier).GroupBy(f => f.Barrier.Syntax)
                                     .OrderBy(g => g.Key.SpanStart))
                        {
                            var findings = group.OrderBy(f => f.Creation.Syntax.SpanStart).ToList();
                            var names = findings.Select(f => f.Local.Name).Distinct().ToList();
                            string locals = string.Join(", ", names.Select(n => "'" + n + "'"));
                            var properties = ImmutableDictionary<string, string?>.Empty.Add(LocalsProperty, string.Join(",", names));
                            block.ReportDiagnostic(Diagnostic.Create(Rule, group.Key.GetLocation(),
                                findings.Select(f => f.Creation.Syntax.GetLocation()), properties, Message(findings[0].Barrier, locals)));
                        }
                    }
                });
            });
        }
    }
}
