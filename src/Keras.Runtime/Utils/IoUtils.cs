using System;
using System.IO;
using System.Text;
using Keras.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Keras.Utilities
{
    /// <summary>
    /// Keras' io_utils: with interactive logging on, messages go to stdout (Keras' print_msg); with it off they go to
    /// the Microsoft.Extensions.Logging logger set with <see cref="Utils.SetLoggerFactory"/> (Keras sends them to
    /// absl.logging). Warnings (Keras' warnings.warn) go to the logger when one is set, else to stderr.
    /// </summary>
    internal static class IoUtils
    {
        public const string LoggerCategory = "Keras";
        private static readonly object Gate = new object();
        private static ILoggerFactory? _factory;
        private static ILogger _logger = NullLogger.Instance;

        public static ILoggerFactory? LoggerFactory
        {
            get
            {
                lock (Gate) return _factory;
            }
            set
            {
                lock (Gate)
                {
                    _factory = value;
                    _logger = value?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
                }
            }
        }

        private static ILogger Logger
        {
            get
            {
                lock (Gate) return _logger;
            }
        }

        /// <summary>Tests may redirect stdout/stderr without touching <see cref="Console"/>.</summary>
        internal static TextWriter? StdoutOverride { get; set; }

        internal static TextWriter? StderrOverride { get; set; }

        public static void PrintMsg(string message, bool lineBreak = true)
        {
            if (GlobalState.InteractiveLoggingEnabled)
            {
                var writer = StdoutOverride ?? Console.Out;
                string text = lineBreak ? message + "\n" : message;
                if (!CanEncodeBoxDrawing(writer.Encoding)) text = text.Replace('━', '=');
                lock (writer)
                {
                    writer.Write(text);
                    writer.Flush();
                }
            }
            else
            {
                Logger.LogInformation("{Message}", message);
            }
        }

        public static void Warn(string message)
        {
            var logger = Logger;
            if (logger != NullLogger.Instance)
            {
                logger.LogWarning("{Message}", message);
                return;
            }
            var writer = StderrOverride ?? Console.Error;
            lock (writer)
            {
                writer.WriteLine("Keras warning: " + message);
                writer.Flush();
            }
        }

        private static bool CanEncodeBoxDrawing(Encoding? encoding)
        {
            if (encoding == null) return true;
            int cp = encoding.CodePage;
            return cp == 65001 || cp == 1200 || cp == 1201 || cp == 12000 || cp == 12001;
        }
    }
}
