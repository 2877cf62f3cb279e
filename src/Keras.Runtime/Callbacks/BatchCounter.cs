namespace Keras.Callbacks
{
    /// <summary>
    /// Keras' <c>_should_save_on_batch</c> counting for an integer <c>save_freq</c> (BackupAndRestore, ModelCheckpoint):
    /// batches are counted across epochs (a batch index not above the last one seen starts a new epoch), and every
    /// <c>every</c> batches the counter fires and restarts. 0 fires after every batch.
    /// </summary>
    internal sealed class BatchCounter
    {
        private readonly int _every;
        private int _sinceLast;

        internal BatchCounter(int every) => _every = every;

        /// <summary>The last batch index seen in the current epoch (Keras' <c>_last_batch_seen</c>).</summary>
        internal int LastBatchSeen { get; private set; }

        internal void Reset()
        {
            LastBatchSeen = 0;
            _sinceLast = 0;
        }

        internal void EpochEnded() => LastBatchSeen = 0;

        /// <summary>Counts the end of <paramref name="batch"/>; true when it is time to save.</summary>
        internal bool Tick(int batch)
        {
            _sinceLast += batch <= LastBatchSeen ? batch + 1 : batch - LastBatchSeen;
            LastBatchSeen = batch;
            if (_sinceLast < _every) return false;
            _sinceLast = 0;
            return true;
        }
    }
}
