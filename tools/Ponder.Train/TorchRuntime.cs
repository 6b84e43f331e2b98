using TorchSharp;

namespace Ponder.Train;

/// <summary>Makes TorchSharp usable before its first call: patches the glue library where the
/// system libstdc++ is too old (see <see cref="ElfVersionPatch"/>) and sets the thread count.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _ready;

    public static void Ensure(int threads = 0)
    {
        lock (Gate)
        {
            if (!_ready)
            {
                if (OperatingSystem.IsLinux() && !ElfVersionPatch.SystemHasVersion(ElfVersionPatch.Version))
                {
                    foreach (var p in Candidates())
                        if (File.Exists(p)) ElfVersionPatch.Patch(p);
                }
                _ready = true;
            }
            if (threads > 0) torch.set_num_threads(threads);
        }
    }

    static IEnumerable<string> Candidates()
    {
        var b = AppContext.BaseDirectory;
        yield return Path.Combine(b, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        yield return Path.Combine(b, "libLibTorchSharp.so");
    }
}
