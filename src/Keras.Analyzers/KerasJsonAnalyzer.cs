using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Keras.Analyzers
{
    /// <summary>
    /// Diagnostics for the project's keras.json, located in the file: KERAS004 (invalid), KERAS005 (ignored keys),
    /// KERAS007 (epsilon underflow), KERAS006 (missing or ambiguous file). The keras.json half of KERAS001 is in
    /// <see cref="Float16WithoutMixedPrecisionAnalyzer"/>.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class KerasJsonAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            Descriptors.InvalidKerasJson,
            Descriptors.SuspiciousKerasJsonKey,
            Descriptors.EpsilonUnderflow,
            Descriptors.KerasJsonFileProblem);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(Start);
        }

        private static void Start(CompilationStartAnalysisContext start)
        {
            var provider = start.Options.AnalyzerConfigOptionsProvider;
            var configs = start.Options.AdditionalFiles
                .Where(f => KerasJsonFiles.IsKerasConfig(f.Path, Get(provider.GetOptions(f), KerasJsonFiles.KerasConfigMetadata)))
                .ToImmutableArray();
            string? projectDir = Get(provider.GlobalOptions, KerasJsonFiles.ProjectDirProperty);
            bool bake = KerasJsonFiles.IsBakingEnabled(Get(provider.GlobalOptions, KerasJsonFiles.BakeConfigProperty));
            string? configured = Get(provider.GlobalOptions, KerasJsonFiles.ConfigFileProperty);

            if (configs.IsEmpty && (string.IsNullOrWhiteSpace(configured) || !bake)) return; // nothing to check: no work

            start.RegisterAdditionalFileAction(ctx =>
            {
                if (!configs.Contains(ctx.AdditionalFile)) return;
                var text = ctx.AdditionalFile.GetText(ctx.CancellationToken);
                if (text == null) return; // KERAS006 reports unreadable files
                var findings = new List<KerasJsonFinding>();
                KerasJsonValidator.Validate(text.ToString(), checkedIn: true, findings);
                foreach (var f in findings)
                {
                    var descriptor = f.Id == KerasJsonValidator.InvalidId ? Descriptors.InvalidKerasJson
                                   : f.Id == KerasJsonValidator.EpsilonUnderflowId ? Descriptors.EpsilonUnderflow
                                   : Descriptors.SuspiciousKerasJsonKey;
                    ctx.ReportDiagnostic(Diagnostic.Create(descriptor, LocationIn(ctx.AdditionalFile.Path, text, f.Start.Offset, f.Length), f.Message));
                }
            });

            start.RegisterCompilationEndAction(end =>
            {
                if (bake && configs.Length > 1)
                {
                    string list = string.Join(", ", configs.Select(c => KerasJsonFiles.DisplayPath(c.Path, projectDir)));
                    foreach (var c in configs)
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.KerasJsonFileProblem, Location.Create(c.Path, default, default),
                            $"More than one keras.json would be baked ({list}). Keep one as an AdditionalFiles item, or choose it with <KerasConfigFile>."));
                }
                if (bake && !string.IsNullOrWhiteSpace(configured) &&
                    !configs.Any(c => KerasJsonFiles.SamePath(c.Path, configured!) && c.GetText(end.CancellationToken) != null))
                {
                    end.ReportDiagnostic(Diagnostic.Create(Descriptors.KerasJsonFileProblem, Location.None,
                        $"<KerasConfigFile> is '{configured}', which does not exist. Fix the path, remove the property to use keras.json next to the project file, or set <KerasBakeConfig>false</KerasBakeConfig> to read ~/.keras/keras.json at run time."));
                }
                foreach (var c in configs)
                {
                    if (c.GetText(end.CancellationToken) == null)
                        end.ReportDiagnostic(Diagnostic.Create(Descriptors.KerasJsonFileProblem, Location.Create(c.Path, default, default),
                            $"keras.json '{KerasJsonFiles.DisplayPath(c.Path, projectDir)}' cannot be read."));
                }
            });
        }

        internal static string? Get(AnalyzerConfigOptions options, string key) => options.TryGetValue(key, out var v) ? v : null;

        internal static Location LocationIn(string path, SourceText text, int offset, int length)
        {
            offset = Math.Max(0, Math.Min(offset, text.Length));
            length = Math.Max(0, Math.Min(length, text.Length - offset));
            var span = new TextSpan(offset, length);
            return Location.Create(path, span, text.Lines.GetLinePositionSpan(span));
        }
    }
}
