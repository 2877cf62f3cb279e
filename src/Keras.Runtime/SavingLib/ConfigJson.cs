using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// Parses a saved configuration: depth-limited, and walked once right away so that what System.Text.Json checks
    /// lazily (duplicate keys in an object) fails here with a located error instead of deep inside loading.
    /// </summary>
    internal static class ConfigJson
    {
        internal static JsonNode? Parse(string text, LoadLimits limits, string source) =>
            CheckKeys(JsonNode.Parse(text, documentOptions: Options(limits)), source);

        /// <summary>The same from UTF-8 bytes the caller has checked are valid UTF-8 (no transcoding to a string and back).</summary>
        internal static JsonNode? Parse(ReadOnlySpan<byte> utf8, LoadLimits limits, string source) =>
            CheckKeys(JsonNode.Parse(utf8, documentOptions: Options(limits)), source);

        private static JsonDocumentOptions Options(LoadLimits limits) => new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth };

        private static JsonNode? CheckKeys(JsonNode? root, string source)
        {
            // Iterative walk (no recursion on the file's depth). Paths are built only for the error (JsonNode.GetPath).
            var pending = new Stack<JsonNode>();
            if (root != null) pending.Push(root);
            while (pending.Count > 0)
            {
                switch (pending.Pop())
                {
                    case JsonObject o:
                        try
                        {
                            foreach (var pair in o)
                                if (pair.Value != null) pending.Push(pair.Value);
                        }
                        catch (ArgumentException e)
                        {
                            // Python's json keeps the last of duplicate keys, .NET refuses them: either way the file is ambiguous.
                            string path = o.GetPath();
                            throw new KerasConfigException(
                                $"{source}: the object at {path} has the same key twice ({e.Message}). Two readers could see two different models: save the model again.",
                                source, path, null, null, "unique keys", e);
                        }
                        break;
                    case JsonArray a:
                        foreach (var item in a)
                            if (item != null) pending.Push(item);
                        break;
                }
            }
            return root;
        }
    }
}
