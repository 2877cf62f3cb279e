using System;

namespace Keras.State
{
    /// <summary>Keras' own generator for host-side randomness (shuffling, default seeds); reseeded by SetRandomSeed.</summary>
    internal static class KerasRandom
    {
        private static readonly object Gate = new object();
        private static Random _random = new Random();

        public static void Reseed(int seed)
        {
            lock (Gate) _random = new Random(seed);
        }

        /// <summary>A seed for an initializer created without one (Keras draws random.randint(1, 10**9)).</summary>
        public static int NextSeed()
        {
            lock (Gate) return _random.Next(1, 1_000_000_000);
        }
    }
}
