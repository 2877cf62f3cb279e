using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;
using Keras.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Keras.Analyzers.Tests;

/// <summary>
/// One source of truth: for every rule of the shared tables (src/Shared/KerasArgumentRules.cs, KerasIdentifiers.cs),
/// over generated constants, the runtime rejects a value exactly when KERAS302 / KERAS301 report it.
/// </summary>
public class ArgumentRulesAgreementTests
{
    private static readonly Assembly Runtime = typeof(Keras.Config).Assembly;

    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => !Path.GetFileName(p).StartsWith("Keras.", StringComparison.Ordinal))
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .Concat(KerasReferences.All)
        .ToImmutableArray();

    /// <summary>Valid values for the required parameters of the constructors the sites name.</summary>
    private static readonly Dictionary<string, object> Required = new()
    {
        ["units"] = 2, ["rate"] = 0.5, ["filters"] = 2, ["kernelSize"] = 1, ["n"] = 2, ["inputDim"] = 3, ["outputDim"] = 2,
    };

    private static readonly double[] Doubles =
        { -1e9, -2, -1, -0.5, -1e-9, -0.0, 0, 1e-9, 0.2, 0.5, 0.999, 1, 1.0000001, 1.5, 2, 20, 99, 100, 1e9, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

    private static readonly int[] Ints = { int.MinValue, -100, -2, -1, 0, 1, 2, 3, 100 };

    public static IEnumerable<object[]> Sites() =>
        KerasArgumentRules.All.SelectMany(r => r.Sites).Distinct().Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Sites))]
    public async Task The_runtime_throws_exactly_when_KERAS302_reports(string site)
    {
        var parts = site.Split('|');
        string typeName = parts[0], member = parts[1], parameterName = parts[2];
        var type = Runtime.GetType(typeName, throwOnError: true)!;
        var (concrete, method, parameter) = FindScalarSite(type, member, parameterName);
        Assert.True(method != null, $"{site}: no public {member} with an int or double parameter '{parameterName}'");
        var underlying = Nullable.GetUnderlyingType(parameter!.ParameterType) ?? parameter.ParameterType;
        var values = underlying == typeof(int) ? Ints.Select(i => (double)i).ToArray() : Doubles;

        var rule = KerasArgumentRules.Find(typeName, member, parameterName)!;
        var runtimeRejects = values.Select(v => RuntimeRejects(rule, method!, parameter, underlying == typeof(int) ? (object)(int)v : v)).ToArray();
        var reported = await AnalyzerReports("KERAS302", values.Select(v => Statement(concrete!, method!, parameter, Literal(v, underlying))).ToArray());
        for (int i = 0; i < values.Length; i++)
            Assert.True(runtimeRejects[i] == reported[i],
                $"{site} = {values[i].ToString("R", CultureInfo.InvariantCulture)}: runtime {(runtimeRejects[i] ? "throws" : "accepts")}, KERAS302 {(reported[i] ? "reports" : "is silent")}");
        Assert.Contains(true, runtimeRejects); // the generated constants do cross the boundary
        Assert.Contains(false, runtimeRejects);
    }

    /// <summary>Each kind of name with a runtime call that resolves it, and whether that call rejects a name.</summary>
    public static IEnumerable<object[]> Kinds() => KerasIdentifiers.All.Select(k => new object[] { Array.IndexOf(KerasIdentifiers.All, k) });

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task The_runtime_rejects_a_name_exactly_when_KERAS301_reports(int kindIndex)
    {
        var kind = KerasIdentifiers.All[kindIndex];
        var (code, rejects) = NameSite(kind);
        var names = kind.Identifiers
            .Concat(kind.Identifiers.Take(6).SelectMany(n => new[] { n.ToUpperInvariant(), n + "x", n.Length > 2 ? n.Substring(1) : n + "_", " " + n }))
            .Concat(new[] { "", "unknown", "threshold", "None" })
            .Distinct().ToArray();
        var runtime = names.Select(rejects).ToArray();
        var reported = await AnalyzerReports("KERAS301", names.Select(n => string.Format(CultureInfo.InvariantCulture, code, "\"" + n + "\"")).ToArray());
        for (int i = 0; i < names.Length; i++)
            Assert.True(runtime[i] == reported[i],
                $"{kind.Name} '{names[i]}': runtime {(runtime[i] ? "rejects" : "accepts")}, KERAS301 {(reported[i] ? "reports" : "is silent")}");
        Assert.Contains(true, runtime);
        Assert.Contains(false, runtime);
    }

    [Fact]
    public void A_metric_named_in_Compile_logs_under_the_name_KERAS104_expects()
    {
        foreach (var name in KerasIdentifiers.Metrics.Identifiers)
        {
            Keras.Metrics.Metric metric;
            try
            {
                metric = Keras.Metrics.Metric.Get(name);
            }
            catch (Keras.Errors.KerasTypeException)
            {
                continue; // resolves, but needs constructor arguments (MeanMetricWrapper's fn, IoU's num_classes): never logged by name
            }
            Assert.Equal(KerasIdentifiers.MetricLogName(name), metric.Name);
        }
    }

    private static (string Code, Func<string, bool> Rejects) NameSite(KerasIdentifiers.Kind kind)
    {
        bool Throws(Action a)
        {
            try { a(); return false; }
            catch (Keras.Errors.KerasArgumentException) { return true; }
            catch (Keras.Errors.KerasTypeException) { return false; } // lossscaleoptimizer: resolves, needs its inner optimizer
        }
        if (kind == KerasIdentifiers.Activations) return ("_ = new Keras.Layers.Dense(2, activation: {0});", n => Throws(() => new Keras.Layers.Dense(2, activation: n)));
        if (kind == KerasIdentifiers.Initializers) return ("Keras.Initializers.Initializer.Get({0});", n => Throws(() => Keras.Initializers.Initializer.Get(n)));
        if (kind == KerasIdentifiers.Regularizers) return ("Keras.Regularizers.Regularizer.Get({0});", n => Throws(() => Keras.Regularizers.Regularizer.Get(n)));
        if (kind == KerasIdentifiers.Constraints) return ("Keras.Constraints.Constraint.Get({0});", n => Throws(() => Keras.Constraints.Constraint.Get(n)));
        if (kind == KerasIdentifiers.Optimizers) return ("Keras.Optimizers.Optimizer.Get({0});", n => Throws(() => Keras.Optimizers.Optimizer.Get(n)));
        if (kind == KerasIdentifiers.Losses) return ("Keras.Losses.Loss.Get({0});", n => Throws(() => Keras.Losses.Loss.Get(n)));
        if (kind == KerasIdentifiers.Metrics) return ("Keras.Metrics.Metric.Get({0});", n => Throws(() => Keras.Metrics.Metric.Get(n)));
        if (kind == KerasIdentifiers.Paddings) return ("_ = new Keras.Layers.MaxPooling2D(padding: {0});", n => Throws(() => new Keras.Layers.MaxPooling2D(padding: n)));
        if (kind == KerasIdentifiers.CausalPaddings) return ("_ = new Keras.Layers.Conv1D(2, 1, padding: {0});", n => Throws(() => new Keras.Layers.Conv1D(2, 1, padding: n)));
        if (kind == KerasIdentifiers.DataFormats) return ("_ = new Keras.Layers.Flatten(dataFormat: {0});", n => Throws(() => new Keras.Layers.Flatten(dataFormat: n)));
        if (kind == KerasIdentifiers.Interpolations) return ("_ = new Keras.Layers.UpSampling2D(interpolation: {0});", n => Throws(() => new Keras.Layers.UpSampling2D(interpolation: n)));
        if (kind == KerasIdentifiers.MergeModes)
            return ("_ = new Keras.Layers.Bidirectional(new Keras.Layers.LSTM(2), mergeMode: {0});", n => Throws(() => new Keras.Layers.Bidirectional(new Keras.Layers.LSTM(2), mergeMode: n)));
        if (kind == KerasIdentifiers.MonitorModes) // Keras warns and falls back to "auto": the mode it keeps differs from the one given
            return ("_ = new Keras.Callbacks.EarlyStopping(mode: {0});", n =>
            {
                var saved = Console.Error;
                Console.SetError(TextWriter.Null);
                try { return new Keras.Callbacks.EarlyStopping(mode: n).Mode != n; }
                finally { Console.SetError(saved); }
            });
        throw new InvalidOperationException("no runtime site for " + kind.Name + ": add one to this test");
    }

    private static (Type? Type, MethodBase? Method, ParameterInfo? Parameter) FindScalarSite(Type owner, string member, string parameterName)
    {
        var types = owner.IsAbstract ? Runtime.GetTypes().Where(t => t.IsPublic && !t.IsAbstract && owner.IsAssignableFrom(t)).OrderBy(t => t.Name).ToList() : new List<Type> { owner };
        if (member != ".ctor") types = new List<Type> { typeof(Keras.Models.Sequential) };
        foreach (var t in types)
        {
            IEnumerable<MethodBase> candidates = member == ".ctor"
                ? t.GetConstructors()
                : t.GetMethods().Where(m => m.Name == member && m.GetParameters().Length > 0 && m.GetParameters()[0].ParameterType == typeof(TorchSharp.torch.Tensor));
            foreach (var m in candidates.OrderBy(m => m.GetParameters().Length))
            {
                var p = m.GetParameters().FirstOrDefault(p => p.Name == parameterName);
                var u = p == null ? null : Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
                if (p != null && (u == typeof(int) || u == typeof(double)) && m.GetParameters().All(q => q == p || q.IsOptional || Required.ContainsKey(q.Name!) || q.ParameterType == typeof(TorchSharp.torch.Tensor)))
                    return (t, m, p);
            }
        }
        return (null, null, null);
    }

    private static bool RuntimeRejects(KerasArgumentRules.Rule rule, MethodBase method, ParameterInfo parameter, object value)
    {
        using var x = TorchSharp.torch.ones(2, 1);
        using var y = TorchSharp.torch.ones(2, 1);
        var args = method.GetParameters().Select(p =>
            p == parameter ? value
            : p.ParameterType == typeof(TorchSharp.torch.Tensor) ? (p.Position == 0 ? x : y)
            : p.Name == "verbose" ? 0
            : p.Name == "epochs" && parameter.Name != "epochs" ? 0
            : Required.TryGetValue(p.Name!, out var r) ? r
            : p.DefaultValue).ToArray();
        try
        {
            if (method is ConstructorInfo ctor) ctor.Invoke(args);
            else
            {
                var model = new Keras.Models.Sequential(new Keras.Layers.Layer[] { new Keras.Layers.Dense(1) });
                model.Compile("sgd", "mse");
                method.Invoke(model, args);
            }
            return false;
        }
        catch (TargetInvocationException e) when (e.InnerException is Keras.Errors.KerasArgumentException k)
        {
            // Rejected by this rule: its own message (tuple elements: standardize_tuple's). Other checks that combine
            // arguments (filters divisible by groups, a split that leaves no training sample) are not KERAS302's.
            return k.Message.StartsWith(rule.Problem(Convert.ToDouble(value, CultureInfo.InvariantCulture), Snake(parameter.Name!)) ?? "\0", StringComparison.Ordinal) ||
                   (rule == KerasArgumentRules.TupleElement || rule == KerasArgumentRules.TupleElementAllowZero) && k.Message.Contains("that do not satisfy `value");
        }
        catch (TargetInvocationException)
        {
            return false;
        }
    }

    private static string Statement(Type type, MethodBase method, ParameterInfo parameter, string literal)
    {
        var required = method.GetParameters().Where(p => p != parameter && Required.ContainsKey(p.Name!) && !p.IsOptional)
            .Select(p => p.Name + ": " + Convert.ToString(Required[p.Name!], CultureInfo.InvariantCulture)).ToList();
        string args = string.Join(", ", required.Append(parameter.Name + ": " + literal));
        return method is ConstructorInfo
            ? $"_ = new {type.FullName}({args});"
            : $"model.{method.Name}(x, {(method.GetParameters().Count(p => p.ParameterType == typeof(TorchSharp.torch.Tensor)) > 1 ? "y, " : "")}{args});";
    }

    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));

    private static string Literal(double v, Type type)
    {
        if (type == typeof(int)) return ((int)v).ToString(CultureInfo.InvariantCulture);
        if (double.IsNaN(v)) return "double.NaN";
        if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
        if (v == 0 && double.IsNegative(v)) return "-0.0";
        return v.ToString("R", CultureInfo.InvariantCulture) + "d";
    }

    /// <summary>Compiles one statement per line and says, per statement, whether the analyzers report <paramref name="id"/> on it.</summary>
    private static async Task<bool[]> AnalyzerReports(string id, string[] statements)
    {
        string source = "using TorchSharp;\nclass P { static void Main() {\nvar model = new Keras.Models.Sequential(); var x = torch.ones(2, 1); var y = torch.ones(2, 1);\n" +
                        string.Join("\n", statements) + "\n} }";
        var tree = CSharpSyntaxTree.ParseText(source, path: "P.cs");
        var compilation = CSharpCompilation.Create("Agreement", new[] { tree }, References, new CSharpCompilationOptions(OutputKind.ConsoleApplication));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var diagnostics = await compilation.WithAnalyzers(RuleCatalogTests.AllAnalyzers).GetAnalyzerDiagnosticsAsync();
        var lines = diagnostics.Where(d => d.Id == id).Select(d => d.Location.GetLineSpan().StartLinePosition.Line).ToHashSet();
        return statements.Select((_, i) => lines.Contains(3 + i)).ToArray();
    }
}
