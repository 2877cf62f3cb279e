using System.Collections.Immutable;
using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

/// <summary>
/// Runs an analyzer unchanged and times its callbacks itself, leaving out the garbage-collection pauses that fall inside a
/// callback. The driver's own clock (ReportAnalyzer) charges every pause to the callbacks it interrupts, and nearly all
/// of them come from the compiler's binding, which runs beside the analyzers: on a small machine that is most of what
/// the driver reports for cheap analyzers. Only the registrations the Keras analyzers use are supported.
/// </summary>
internal sealed class TimedAnalyzer : DiagnosticAnalyzer
{
    private readonly DiagnosticAnalyzer _inner;
    private long _ticks, _pauseTicks, _callbacks, _allocated;

    public TimedAnalyzer(DiagnosticAnalyzer inner) => _inner = inner;

    public string Name => _inner.GetType().Name;

    /// <summary>Time inside the analyzer's callbacks, GC pauses left out.</summary>
    public double Milliseconds => (_ticks - _pauseTicks) * 1000.0 / Stopwatch.Frequency;

    /// <summary>GC pauses that fell inside its callbacks (what the driver's clock adds).</summary>
    public double PauseMilliseconds => _pauseTicks * 1000.0 / Stopwatch.Frequency;

    public long Callbacks => _callbacks;

    /// <summary>Bytes allocated inside its callbacks (on the calling thread), what it adds to the GC's work.</summary>
    public long AllocatedBytes => _allocated;

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => _inner.SupportedDiagnostics;

    public override void Initialize(AnalysisContext context) => _inner.Initialize(new Context(context, this));

    private Action<T> Timed<T>(Action<T> action) => argument =>
    {
        var pause = GC.GetTotalPauseDuration();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        try
        {
            action(argument);
        }
        finally
        {
            long elapsed = Stopwatch.GetTimestamp() - start;
            Interlocked.Add(ref _allocated, GC.GetAllocatedBytesForCurrentThread() - allocated);
            long paused = (long)((GC.GetTotalPauseDuration() - pause).TotalSeconds * Stopwatch.Frequency);
            Interlocked.Add(ref _ticks, elapsed);
            Interlocked.Add(ref _pauseTicks, Math.Min(paused, elapsed));
            Interlocked.Increment(ref _callbacks);
        }
    };

    private sealed class Context(AnalysisContext inner, TimedAnalyzer timer) : AnalysisContext
    {
        public override void EnableConcurrentExecution() => inner.EnableConcurrentExecution();

        public override void ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags analysisMode) => inner.ConfigureGeneratedCodeAnalysis(analysisMode);

        public override void RegisterCompilationStartAction(Action<CompilationStartAnalysisContext> action) =>
            inner.RegisterCompilationStartAction(timer.Timed<CompilationStartAnalysisContext>(start => action(new StartContext(start, timer))));

        public override void RegisterCompilationAction(Action<CompilationAnalysisContext> action) => inner.RegisterCompilationAction(timer.Timed(action));
        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => inner.RegisterSyntaxTreeAction(timer.Timed(action));
        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => inner.RegisterSemanticModelAction(timer.Timed(action));
        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => inner.RegisterSymbolAction(timer.Timed(action), symbolKinds);
        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException();
        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
            inner.RegisterSyntaxNodeAction(timer.Timed(action), syntaxKinds);
        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => inner.RegisterOperationAction(timer.Timed(action), operationKinds);
        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => inner.RegisterAdditionalFileAction(timer.Timed(action));
    }

    private sealed class StartContext(CompilationStartAnalysisContext inner, TimedAnalyzer timer)
        : CompilationStartAnalysisContext(inner.Compilation, inner.Options, inner.CancellationToken)
    {
        public override void RegisterCompilationEndAction(Action<CompilationAnalysisContext> action) => inner.RegisterCompilationEndAction(timer.Timed(action));
        public override void RegisterSemanticModelAction(Action<SemanticModelAnalysisContext> action) => inner.RegisterSemanticModelAction(timer.Timed(action));
        public override void RegisterSymbolAction(Action<SymbolAnalysisContext> action, ImmutableArray<SymbolKind> symbolKinds) => inner.RegisterSymbolAction(timer.Timed(action), symbolKinds);
        public override void RegisterCodeBlockStartAction<TLanguageKindEnum>(Action<CodeBlockStartAnalysisContext<TLanguageKindEnum>> action) => throw new NotSupportedException();
        public override void RegisterCodeBlockAction(Action<CodeBlockAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterSyntaxTreeAction(Action<SyntaxTreeAnalysisContext> action) => inner.RegisterSyntaxTreeAction(timer.Timed(action));
        public override void RegisterAdditionalFileAction(Action<AdditionalFileAnalysisContext> action) => inner.RegisterAdditionalFileAction(timer.Timed(action));
        public override void RegisterSyntaxNodeAction<TLanguageKindEnum>(Action<SyntaxNodeAnalysisContext> action, ImmutableArray<TLanguageKindEnum> syntaxKinds) =>
            inner.RegisterSyntaxNodeAction(timer.Timed(action), syntaxKinds);
        public override void RegisterOperationBlockStartAction(Action<OperationBlockStartAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterOperationBlockAction(Action<OperationBlockAnalysisContext> action) => throw new NotSupportedException();
        public override void RegisterOperationAction(Action<OperationAnalysisContext> action, ImmutableArray<OperationKind> operationKinds) => inner.RegisterOperationAction(timer.Timed(action), operationKinds);
    }
}
