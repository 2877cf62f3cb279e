using Keras.Callbacks;
using Keras.Errors;
using Keras.Initializers;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Keras.Runtime.Tests;

/// <summary>BackupAndRestore, pinned to keras-reference.md §5.5 and keras/src/callbacks/backup_and_restore_test.py.</summary>
public class BackupAndRestoreTests : KerasTestBase
{
    /// <summary>Keras' test layer: a non-trainable float counter, +1 per call.</summary>
    private sealed class CanaryLayer : Layer
    {
        private KerasVariable? _counter;

        protected override void BuildCore(long[] inputShape) => _counter = AddWeight("counter", Array.Empty<long>(), new Zeros(), trainable: false);

        public float Counter => _counter!.ToArray<float>()[0];

        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using (torch.no_grad()) _counter!.Value.add_(1);
            return inputs.alias();
        }
    }

    /// <summary>Raises at a given batch end or epoch end, as the Keras tests' InterruptingCallback.</summary>
    private sealed class Interrupt : Callback
    {
        private readonly int? _atBatch, _atEpoch;
        private int _batches;

        public Interrupt(int? atBatch = null, int? atEpoch = null)
        {
            _atBatch = atBatch;
            _atEpoch = atEpoch;
        }

        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (++_batches == _atBatch) throw new OperationCanceledException("interrupted");
        }

        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (epoch + 1 == _atEpoch) throw new OperationCanceledException("interrupted");
        }
    }

    private (Sequential Model, CanaryLayer Canary) Model()
    {
        var canary = new CanaryLayer();
        var model = new Sequential(new Layer[] { canary, new Dense(1) });
        model.Build(new long[] { -1, 3 });
        model.Compile("sgd", "mse");
        return (model, canary);
    }

    private static (Tensor X, Tensor Y) Data() => (torch.ones(10, 3), torch.ones(10, 1)); // 10 samples, batch 4: 3 batches

    private string Dir => Path.Combine(KerasHome, "backup");

    [Fact]
    public void Step_wise_backup_resumes_at_the_start_of_the_interrupted_epoch()
    {
        var (x, y) = Data();
        var (model, canary) = Model();
        var backup = new BackupAndRestore(Dir, saveFreq: 1);
        Assert.Throws<OperationCanceledException>(() =>
            model.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup, new Interrupt(atBatch: 2) }));
        Assert.Equal(0, backup.CurrentEpoch);
        Assert.Equal(1, backup.LastBatchSeen);
        Assert.Equal(2f, canary.Counter);

        var (fresh, freshCanary) = Model();
        var history = fresh.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup });
        Assert.Equal(5, backup.CurrentEpoch);
        Assert.Equal(4, history.Epoch.Last());
        Assert.Equal(17f, freshCanary.Counter); // 2 restored + 5 epochs × 3 batches
    }

    [Fact]
    public void Epoch_wise_backup_resumes_at_the_saved_epoch()
    {
        var (x, y) = Data();
        var (model, canary) = Model();
        var backup = new BackupAndRestore(Dir);
        Assert.Throws<OperationCanceledException>(() =>
            model.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup, new Interrupt(atEpoch: 2) }));
        Assert.Equal(2, backup.CurrentEpoch);
        Assert.Equal(6f, canary.Counter);

        var (fresh, freshCanary) = Model();
        var history = fresh.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup });
        Assert.Equal(new[] { 2, 3, 4 }, history.Epoch);
        Assert.Equal(15f, freshCanary.Counter);
        Assert.False(Directory.Exists(Dir)); // a complete run deletes backup_dir
    }

    [Fact]
    public void A_corrupt_latest_backup_falls_back_to_the_double_checkpoint()
    {
        var (x, y) = Data();
        var (model, _) = Model();
        var backup = new BackupAndRestore(Dir, doubleCheckpoint: true);
        Assert.Throws<OperationCanceledException>(() =>
            model.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup, new Interrupt(atEpoch: 2) }));
        foreach (var file in new[] { "latest.weights.h5", "training_metadata.json", "latest.weights.h5.bkp", "training_metadata.json.bkp" })
            Assert.True(File.Exists(Path.Combine(Dir, file)), file);
        File.WriteAllText(Path.Combine(Dir, "latest.weights.h5"), "0");

        var (fresh, freshCanary) = Model();
        var history = fresh.Fit(x, y, batchSize: 4, epochs: 5, verbose: 0, callbacks: new Callback[] { backup });
        Assert.Equal(new[] { 1, 2, 3, 4 }, history.Epoch); // the .bkp holds the end of epoch 1
        Assert.Equal(15f, freshCanary.Counter);
        Assert.Equal(5, backup.CurrentEpoch);
    }

    [Fact]
    public void A_corrupt_backup_without_a_double_checkpoint_is_reported()
    {
        var (x, y) = Data();
        Directory.CreateDirectory(Dir);
        File.WriteAllText(Path.Combine(Dir, "latest.weights.h5"), "0");
        var (model, _) = Model();
        Assert.Throws<KerasFileFormatException>(() =>
            model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, callbacks: new Callback[] { new BackupAndRestore(Dir) }));
    }

    [Fact]
    public void Writes_Keras_compatible_metadata_and_keeps_the_directory_when_asked()
    {
        var (x, y) = Data();
        var (model, _) = Model();
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: new Callback[] { new BackupAndRestore(Dir, deleteCheckpoint: false) });
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "training_metadata.json")));
        Assert.Equal(2, json.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("batch").GetInt32());
        Assert.Single(Directory.GetFiles(Dir, "*.h5"));
        Assert.Empty(Directory.GetFiles(Dir, "*.tmp"));
    }

    [Fact]
    public void Invalid_arguments_are_rejected_as_Keras()
    {
        Assert.Contains("Empty `backup_dir` argument passed", Assert.Throws<KerasArgumentException>(() => new BackupAndRestore("")).Message);
        Assert.Contains("Empty `backup_dir` argument passed", Assert.Throws<KerasArgumentException>(() => new BackupAndRestore(null!)).Message);
        Assert.Contains("Invalid value for argument `save_freq`", Assert.Throws<KerasArgumentException>(() => new BackupAndRestore(Dir, "batch")).Message);
        Assert.Contains("Invalid value for argument `save_freq`", Assert.Throws<KerasArgumentException>(() => new BackupAndRestore(Dir, -1)).Message);
    }

    [Fact]
    public void The_model_must_be_built_before_fit_when_the_data_cannot_build_it_first()
    {
        // Array inputs build the model before OnTrainBegin (as Keras' symbolic build); a stream builds it on its first batch.
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Compile("sgd", "mse");
        var (x, y) = Data();
        var error = Assert.Throws<KerasInvalidOperationException>(() =>
            model.Fit(new[] { (x, y) }, epochs: 1, verbose: 0, callbacks: new Callback[] { new BackupAndRestore(Dir) }));
        Assert.Contains("you model must be built before you call `fit()`", error.Message);
    }

    [Fact]
    public void Resuming_from_an_epoch_backup_reaches_the_uninterrupted_runs_weights_with_shuffle_and_dropout()
    {
        float[][] Train(Func<Sequential, Callback[]> callbacks, int epochs)
        {
            Utils.SetRandomSeed(11);
            var model = new Sequential(new Layer[] { new Dense(8, activation: "relu"), new Dropout(0.3), new Dense(1) });
            model.Build(new long[] { -1, 3 });
            model.Compile("adam", "mse");
            using var g = new Generator(5);
            using var x = torch.randn(new long[] { 40, 3 }, generator: g);
            using var y = torch.randn(new long[] { 40, 1 }, generator: g);
            model.Fit(x, y, batchSize: 8, epochs: epochs, verbose: 0, callbacks: callbacks(model));
            return model.Weights.Select(w => w.ToArray<float>()).ToArray();
        }

        var uninterrupted = Train(_ => Array.Empty<Callback>(), 6);
        Assert.Throws<OperationCanceledException>(() => Train(_ => new Callback[] { new BackupAndRestore(Dir), new Interrupt(atEpoch: 3) }, 6));
        var resumed = Train(_ => new Callback[] { new BackupAndRestore(Dir) }, 6);
        Assert.Equal(uninterrupted, resumed);
    }
}
