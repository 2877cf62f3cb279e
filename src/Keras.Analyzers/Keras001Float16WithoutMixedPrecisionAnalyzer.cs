using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Keras.Analyzers
{
    /// <summary>
    /// KERAS001: floatx set to float16 (by <c>Keras.Config.SetFloatx("float16")</c> or by the project's keras.json)
    /// while nothing in the compilation selects a mixed-precision policy. A <c>SetDtypePolicy</c> call with a
    /// non-constant argument counts as selecting one (precision over recall).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class Float16WithoutMixedPrecisionAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(Descriptors.Float16WithoutMixedPrecision);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var keras = KerasContext.TryCreate(start.Compilation);
                if (keras == null) return;

                var codeSites = new ConcurrentBag<Location>();
                int selectsPolicy = 0;
                start.RegisterOperationAction(op =>
                {
                    var invocation = (IInvocationOperation)op.Operation;
                    if (keras.IsConfigCall(invocation, KerasApi.SetFloatx))
                    {
                        if (KerasContext.FirstArgumentConstant(invocation) is { HasValue: true, Value: "float16" })
                            codeSites.Add(invocation.Syntax.GetLocation());
                    }
                    else if (keras.IsConfigCall(invocation, KerasApi.SetDtypePolicy))
                    {
                        var constant = KerasContext.FirstArgumentConstant(invocation);
                        if (constant is { HasValue: true, Value: string name } && !name.StartsWith("mixed_", StringComparison.Ordinal)) return;
                        Interlocked.Exchange(ref selectsPolicy, 1);
                    }
                }, OperationKind.Invocation);

                var kerasJson = FindKerasJsonFloat16(start.Options, start.CancellationToken);
                start.RegisterCompilationEndAction(end =>
                {
                    if (Volatile.Read(ref selectsPolicy) != 0) return;
                    foreach (var site in codeSites.OrderBy(l => l.SourceTree?.FilePath).ThenBy(l => l.SourceSpan.Start))
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.Float16WithoutMixedPrecision, site,
                            "SetFloatx(\"float16\") without a mixed-precision policy: training in float16 is unstable. " +
                            "Use Keras.Config.SetDtypePolicy(\"mixed_float16\") (float16 compute, float32 variables) instead."));
                    if (kerasJson != null)
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.Float16WithoutMixedPrecision, kerasJson,
                            "keras.json sets floatx to float16 but the project never selects a mixed-precision policy: training in float16 is unstable. " +
                            "Keep floatx float32 and call Keras.Config.SetDtypePolicy(\"mixed_float16\") at start-up."));
                });
            });
        }

        /// <summary>The "floatx": "float16" value of the project's one keras.json, or null.</summary>
        private static Location? FindKerasJsonFloat16(AnalyzerOptions options, CancellationToken ct)
        {
            var provider = options.AnalyzerConfigOptionsProvider;
            var configs = options.AdditionalFiles
                .Where(f => KerasJsonFiles.IsKerasConfig(f.Path, KerasJsonAnalyzer.Get(provider.GetOptions(f), KerasJsonFiles.KerasConfigMetadata)))
                .ToList();
            if (configs.Count != 1) return null;
            var text = configs[0].GetText(ct);
            if (text == null) return null;
            var values = KerasJsonValidator.Validate(text.ToString(), checkedIn: true, new List<KerasJsonFinding>());
            if (!values.IsValid || values.Floatx != "float16" || values.FloatxNode == null) return null;
            return KerasJsonAnalyzer.LocationIn(configs[0].Path, text, values.FloatxNode.Start.Offset, values.FloatxNode.Length);
        }
    }
}
