using Ponder.Gguf;
using Ponder.Tensors;

namespace Ponder.Core.Tests.Gguf;

public class GgufWriterTests
{
    static byte[] Write(GgufWriter w)
    {
        var ms = new MemoryStream();
        w.WriteTo(ms);
        Assert.Equal(w.ComputeFileSize(), ms.Length);
        return ms.ToArray();
    }

    static GgufFile RoundTrip(GgufWriter w) => GgufFile.FromBytes(Write(w));

    /// <summary>One key per scalar type (with edge values), one array per element type (empty and
    /// not), and arrays of arrays down to the reader's depth limit.</summary>
    internal static GgufWriter EveryValueType(uint version)
    {
        var w = new GgufWriter(version);
        w.Add("u8", GgufValue.U8(255));
        w.Add("i8", GgufValue.I8(-128));
        w.Add("u16", GgufValue.U16(65535));
        w.Add("i16", GgufValue.I16(-32768));
        w.Add("u32", GgufValue.U32(uint.MaxValue));
        w.Add("i32", GgufValue.I32(int.MinValue));
        w.Add("f32", GgufValue.F32(-1.5e-7f));
        w.Add("f32.nan", GgufValue.F32(float.NaN));
        w.Add("bool.t", GgufValue.Bool(true));
        w.Add("bool.f", GgufValue.Bool(false));
        w.Add("str", GgufValue.Str("héllo ▁wörld <|im_end|> 🙂"));
        w.Add("str.empty", GgufValue.Str(""));
        w.Add("u64", GgufValue.U64(ulong.MaxValue));
        w.Add("i64", GgufValue.I64(long.MinValue));
        w.Add("f64", GgufValue.F64(Math.PI));
        w.AddArray("a.u8", new byte[] { 0, 1, 255 });
        w.AddArray("a.i8", new sbyte[] { -1, 0, 127 });
        w.AddArray("a.u16", new ushort[] { 1, 65535 });
        w.AddArray("a.i16", new short[] { -2, 2 });
        w.AddArray("a.u32", new uint[] { 3, uint.MaxValue });
        w.AddArray("a.i32", new int[] { -3, 3, 5 });
        w.AddArray("a.f32", new float[] { 0.25f, -0f, float.PositiveInfinity });
        w.AddArray("a.bool", new[] { true, false, true });
        w.AddArray("a.str", new[] { "a", "", "ü", "<0x0A>" });
        w.AddArray("a.u64", new ulong[] { 7, ulong.MaxValue });
        w.AddArray("a.i64", new long[] { -7, long.MaxValue });
        w.AddArray("a.f64", new double[] { 1e300, -1e-300 });
        w.AddArray("a.empty.i32", Array.Empty<int>());
        w.AddArray("a.empty.str", Array.Empty<string>());
        w.AddArray("a.arr", new object[] { new int[] { 1, 2 }, new string[] { "x", "yz" }, Array.Empty<float>(), new bool[] { true } });
        w.AddArray("a.arr.arr", new object[] { new object[] { new ushort[] { 9 }, Array.Empty<object>() }, Array.Empty<object>() });
        w.AddArray("a.empty.arr", Array.Empty<object>());
        return w;
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    public void Every_value_type_round_trips(uint version)
    {
        var w = EveryValueType(version);
        using var f = RoundTrip(w);
        Assert.Equal(version, f.Version);
        Assert.Equal(w.Metadata.Select(kv => kv.Key), f.Metadata.Keys);
        foreach (var (key, want) in w.Metadata)
        {
            var got = f.Metadata[key];
            Assert.Equal(want.Type, got.Type);
            if (want.IsArray) Assert.Equal(want.ElementType, got.ElementType);
            AssertSameValue(want.Value, got.Value);
        }
        Assert.Empty(f.Tensors);
    }

    static void AssertSameValue(object want, object got)
    {
        Assert.Equal(want.GetType(), got.GetType());
        if (want is object[] wa)
        {
            var ga = (object[])got;
            Assert.Equal(wa.Length, ga.Length);
            for (int i = 0; i < wa.Length; i++) AssertSameValue(wa[i], ga[i]);
        }
        else if (want is float f) Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits((float)got));
        else if (want is float[] fa) Assert.Equal(fa.Select(BitConverter.SingleToInt32Bits), ((float[])got).Select(BitConverter.SingleToInt32Bits));
        else Assert.Equal(want, got);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    public void Rewriting_a_parsed_file_gives_the_same_bytes(uint version)
    {
        var w = EveryValueType(version);
        AddSomeTensors(w, 7, seed: 3);
        var bytes = Write(w);
        using var f = GgufFile.FromBytes(bytes);
        Assert.Equal(bytes, Write(GgufWriter.FromFile(f)));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(8u)]
    [InlineData(64u)]
    [InlineData(4096u)]
    public void Non_default_alignment_is_honoured(uint alignment)
    {
        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.Add("general.alignment", GgufValue.U32(alignment));
        var data = AddSomeTensors(w, 9, seed: 11);
        var bytes = Write(w);
        using var f = GgufFile.FromBytes(bytes);
        Assert.Equal((int)alignment, f.Alignment);
        Assert.Equal(0, f.DataOffset % alignment);
        Assert.Equal(0, bytes.Length % alignment);
        for (int i = 0; i < f.Tensors.Count; i++)
        {
            Assert.Equal(0, (f.Tensors[i].DataOffset - f.DataOffset) % alignment);
            Assert.Equal(data[i], f.DataSpan(f.Tensors[i]).ToArray());
        }
    }

    [Fact]
    public void Many_tensors_of_every_layout_round_trip()
    {
        var w = new GgufWriter();
        var data = AddSomeTensors(w, 600, seed: 5);
        using var f = RoundTrip(w);
        Assert.Equal(600, f.Tensors.Count);
        for (int i = 0; i < data.Count; i++)
        {
            var t = f.Tensors[i];
            Assert.Equal($"t.{i}", t.Name);
            Assert.Equal(data[i].Length, t.ByteSize);
            Assert.Equal(0, t.DataOffset % GgufFile.DefaultAlignment);
            Assert.Equal(data[i], f.DataSpan(t).ToArray());
            Assert.Same(t, f.GetTensor(t.Name));
        }
    }

    /// <summary>Tensors of random type (every type ggml defines) and 1..4 dims with random bytes; returns the bytes.</summary>
    internal static List<byte[]> AddSomeTensors(GgufWriter w, int count, int seed)
    {
        var rng = new Random(seed);
        var types = Enum.GetValues<GgmlType>();
        var all = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            var type = types[rng.Next(types.Length)];
            int blk = GgmlTypeInfo.BlockSize(type);
            var dims = new long[rng.Next(1, 5)];
            dims[0] = blk * rng.Next(1, 4);
            for (int d = 1; d < dims.Length; d++) dims[d] = rng.Next(1, 4);
            var data = new byte[GgufWriter.TensorByteSize(type, dims)];
            rng.NextBytes(data);
            if (i % 2 == 0) w.AddTensor($"t.{i}", type, dims, data);
            else w.AddTensor($"t.{i}", type, dims, data.Length, s => { foreach (var b in data.Chunk(7)) s.Write(b); });
            all.Add(data);
        }
        return all;
    }

    public static TheoryData<string> ReferenceFiles()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestData.Root, "models"), "*.gguf").Order()) d.Add(Path.GetFileName(f));
        foreach (var f in Directory.GetFiles(Path.Combine(TestData.Root, "vocab"), "*.gguf.gz").Order()) d.Add(Path.GetFileName(f));
        return d;
    }

    /// <summary>The files gguf-py and llama-quantize wrote (models) and llama.cpp's vocab files:
    /// parse, re-write, and get the very same bytes — layout, padding and value types all match.</summary>
    [Theory]
    [MemberData(nameof(ReferenceFiles))]
    public void Reference_file_rewritten_is_byte_identical(string file)
    {
        byte[] original = file.EndsWith(".gz") ? TestData.Gunzip(TestData.Vocab(file)) : File.ReadAllBytes(TestData.Model(file));
        using var f = GgufFile.FromBytes(original, file);
        var rewritten = Write(GgufWriter.FromFile(f));
        Assert.Equal(original.Length, rewritten.Length);
        Assert.True(original.AsSpan().SequenceEqual(rewritten), $"{file}: first difference at byte {original.AsSpan().CommonPrefixLength(rewritten)}");
    }

    [Fact]
    public void Rewriting_a_mapped_file_to_disk_matches()
    {
        var src = TestData.Model("tiny-qwen2-q4_k.gguf");
        var dst = Path.Combine(Path.GetTempPath(), $"ponder-rewrite-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var f = GgufFile.Open(src)) GgufWriter.FromFile(f).WriteTo(dst);
            Assert.Equal(File.ReadAllBytes(src), File.ReadAllBytes(dst));
            Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(dst) + ".tmp*"));
        }
        finally { File.Delete(dst); }
    }

    [Fact]
    public void A_failing_producer_leaves_no_file_behind()
    {
        var dst = Path.Combine(Path.GetTempPath(), $"ponder-fail-{Guid.NewGuid():N}.gguf");
        var w = new GgufWriter();
        w.AddTensor("x", GgmlType.F32, [4], 16, _ => throw new IOException("disk on fire"));
        Assert.Throws<IOException>(() => w.WriteTo(dst));
        Assert.False(File.Exists(dst));
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(dst) + "*"));
    }

    [Fact]
    public void Producer_must_write_exactly_the_declared_size()
    {
        var shortW = new GgufWriter();
        shortW.AddTensor("x", GgmlType.F32, [4], 16, s => s.Write(new byte[15]));
        var e1 = Assert.Throws<InvalidOperationException>(() => shortW.WriteTo(new MemoryStream()));
        Assert.Contains("'x'", e1.Message);

        var longW = new GgufWriter();
        longW.AddTensor("y", GgmlType.F16, [4], 8, s => s.Write(new byte[9]));
        var e2 = Assert.Throws<InvalidOperationException>(() => longW.WriteTo(new MemoryStream()));
        Assert.Contains("'y'", e2.Message);
    }

    [Fact]
    public void Sizes_shapes_and_names_are_checked_when_added()
    {
        var w = new GgufWriter();
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [4], new byte[15]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [4], 15, _ => { }));
        var e = Assert.Throws<ArgumentException>(() => w.AddTensor("q", GgmlType.Q4_K, [128, 2], 144, _ => { }));
        Assert.Contains("block size 256", e.Message);
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [], Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [1, 1, 1, 1, 1], new byte[4]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [0], Array.Empty<byte>()));
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", (GgmlType)99, [4], new byte[16]));
        Assert.Throws<ArgumentException>(() => w.AddTensor(new string('n', 64), GgmlType.F32, [1], new byte[4]));
        w.AddTensor(new string('n', 63), GgmlType.F32, [1], new byte[4]);
        w.AddTensor("a", GgmlType.F32, [1], new byte[4]);
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", GgmlType.F32, [1], new byte[4]));
        Assert.Equal(144 * 2, GgufWriter.TensorByteSize(GgmlType.Q4_K, [256, 2]));
        Assert.Equal(34L * 4 * 3 * 5, GgufWriter.TensorByteSize(GgmlType.Q8_0, [128, 3, 5]));
    }

    [Fact]
    public void Metadata_is_checked_when_added()
    {
        var w = new GgufWriter();
        w.AddUInt32("k", 1);
        Assert.Throws<ArgumentException>(() => w.AddUInt32("k", 2));
        Assert.Throws<ArgumentException>(() => w.Add("x", new GgufValue(GgufValueType.UInt32, 5)));          // int, not uint
        Assert.Throws<ArgumentException>(() => w.Add("x", new GgufValue(GgufValueType.Array, new int[1], GgufValueType.UInt32)));
        Assert.Throws<ArgumentException>(() => w.Add("x", GgufValue.Arr(new object[] { 5 })));                 // not an array inside
        Assert.Throws<ArgumentException>(() => w.Add("x", GgufValue.Arr(new object[] { new object[] { new object[] { new int[1] } } })));
        Assert.Throws<ArgumentNullException>(() => w.Add("x", GgufValue.Arr(new string[] { null! })));
        Assert.Throws<ArgumentException>(() => GgufValue.Arr(new decimal[1]));
        Assert.Throws<ArgumentException>(() => w.Add("general.alignment", GgufValue.U32(48)));
        Assert.Throws<ArgumentException>(() => w.Add("general.alignment", GgufValue.I32(64)));
        Assert.Throws<ArgumentException>(() => new GgufWriter(1));
        w.Set("k", GgufValue.Str("replaced"));
        w.AddString("z", "last");
        Assert.Equal(["k", "z"], w.Metadata.Select(kv => kv.Key));
        Assert.True(w.Remove("k"));
        Assert.False(w.Remove("k"));
        Assert.Equal(["z"], w.Metadata.Select(kv => kv.Key));
    }
}
