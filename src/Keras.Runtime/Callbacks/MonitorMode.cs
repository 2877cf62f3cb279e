using System;
using System.Linq;
using Keras.Errors;
using Keras.Models;

namespace Keras.Callbacks
{
    /// <summary>
    /// Keras' MonitorCallback rule (<c>_set_monitor_op</c>) shared by EarlyStopping and ModelCheckpoint: "min"/"max" as
    /// given; "auto" minimises losses and follows a compiled metric's direction (accuracy up, errors down).
    /// </summary>
    internal static class MonitorMode
    {
        /// <summary>"auto", "min" or "max"; anything else warns with <paramref name="warning"/> and falls back to "auto", as Keras.</summary>
        internal static string Normalize(string mode, string warning)
        {
            if (Shared.KerasIdentifiers.MonitorModes.Resolve(mode) is { } known) return known;
            Utilities.IoUtils.Warn(warning);
            return "auto";
        }

        /// <summary>True when larger values of <paramref name="monitor"/> are better.</summary>
        internal static bool GreaterIsBetter(string callbackName, string monitor, string mode, Model? model)
        {
            bool? greater = mode switch { "min" => false, "max" => true, _ => null };
            if (greater == null)
            {
                string name = monitor.StartsWith("val_", StringComparison.Ordinal) ? monitor.Substring(4) : monitor;
                if (name == "loss") greater = false;
                else if (model?.CompiledMetrics.FirstOrDefault(m => m.Name == name) is { } metric) greater = metric.Direction == "up";
            }
            return greater ?? throw new KerasArgumentException(
                $"{callbackName} callback received monitor={monitor}, but Keras isn't able to automatically determine whether that metric " +
                "should be maximized or minimized. Pass `mode='max'` in order to monitor based on the highest metric value, or pass " +
                "`mode='min'` in order to use the lowest value.");
        }
    }
}
