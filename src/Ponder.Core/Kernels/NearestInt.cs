using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>ggml's nearest_int: adding 1.5·2^23 puts the rounded integer in the low mantissa bits,
/// i.e. round-half-to-even for |v| &lt; 2^22. The k-quant reference quantizers round with it (not
/// roundf, which rounds halves away from zero), so ours must too for byte-identical files.</summary>
internal static class NearestInt
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Of(float v)
    {
        float val = v + 12582912f;
        int i = BitConverter.SingleToInt32Bits(val);
        return (i & 0x007fffff) - 0x00400000;
    }
}
