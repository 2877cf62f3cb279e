using System.Text.RegularExpressions;

namespace Keras.State
{
    /// <summary>Keras' naming utilities (<c>keras/src/utils/naming.py</c>).</summary>
    internal static class Naming
    {
        private static readonly Regex NonWord = new Regex(@"\W+", RegexOptions.CultureInvariant);
        private static readonly Regex CapitalWord = new Regex(@"(.)([A-Z][a-z]+)", RegexOptions.CultureInvariant);
        private static readonly Regex LowerUpper = new Regex(@"([a-z])([A-Z])", RegexOptions.CultureInvariant);

        /// <summary>Dense → dense, BatchNormalization → batch_normalization, Conv2D → conv2d, ReLU → re_lu.</summary>
        public static string ToSnakeCase(string name)
        {
            if (Snake.TryGetValue(name, out var known)) return known;
            string result = SnakeCase(name);
            if (Snake.Count < 1024) Snake.TryAdd(name, result); // class names, mostly: a handful per process
            return result;
        }

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Snake =
            new System.Collections.Concurrent.ConcurrentDictionary<string, string>(System.StringComparer.Ordinal);

        private static string SnakeCase(string name)
        {
            string s = NonWord.Replace(name, "");
            s = CapitalWord.Replace(s, "$1_$2");
            s = LowerUpper.Replace(s, "$1_$2");
            return s.ToLowerInvariant();
        }

        /// <summary>Keras' <c>auto_name</c>: snake case of the prefix, made unique.</summary>
        public static string AutoName(string prefix) => GlobalState.Uniquify(ToSnakeCase(prefix));
    }
}
