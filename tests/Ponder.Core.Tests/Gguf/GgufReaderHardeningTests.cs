using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Ponder.Gguf;
using Ponder.Tensors;
using Xunit.Abstractions;

namespace Ponder.Core.Tests.Gguf;

/// <summary>
/// Bad input never escapes as anything but <see cref="GgufFormatException"/>: each damaged image
/// either opens (and every tensor's bytes can be touched) or throws that one exception type.
/// A crash here would be an out-of-bounds read through the mapping, so "opens" is checked by
/// reading the first and last byte of every tensor.
/// </summary>
public class GgufReaderHardeningTests(ITestOutputHelper output)
{
    /// <summary>Opens the image; returns null if it opened (and was fully touched), else the format error.</summary>
    static GgufFormatException? OpenOrFormatError(byte[] bytes, string what)
    {
        try
        {
            using var f = GgufFile.FromBytes(bytes, what);
            Touch(f);
            return null;
        }
        catch (GgufFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain('\n', e.Message);
            return e;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e.GetType().Name} escaped the reader: {e.Message}\n{e.StackTrace}");
            return null;
        }
    }

    static unsafe void Touch(GgufFile f)
    {
        long sum = 0;
        foreach (var k in f.Metadata.Keys) sum += f.Metadata[k].ToString().Length;
        foreach (var t in f.Tensors)
        {
            Assert.InRange(t.DataOffset, f.DataOffset, f.Length - t.ByteSize);
            byte* p = f.DataPointer(t);
            sum += p[0] + p[t.ByteSize - 1];
        }
        GC.KeepAlive(sum);
    }

    static GgufFormatException MustFail(byte[] bytes, string what)
    {
        var e = OpenOrFormatError(bytes, what);
        Assert.True(e != null, $"{what}: opened, but should have been rejected");
        return e!;
    }

    /// <summary>A small valid file: a few keys of several types, an array of strings, three tensors.</summary>
    static byte[] Small(Action<GgufWriter>? extra = null)
    {
        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.AddUInt32("llama.block_count", 1);
        w.AddArray("tokenizer.ggml.tokens", new[] { "a", "b", "c" });
        w.AddBool("flag", true);
        extra?.Invoke(w);
        w.AddTensor("t0", GgmlType.F32, [8], new byte[32]);
        w.AddTensor("t1", GgmlType.Q8_0, [32, 2], new byte[68]);
        w.AddTensor("t2", GgmlType.F16, [4, 3], new byte[24]);
        var ms = new MemoryStream();
        w.WriteTo(ms);
        return ms.ToArray();
    }

    static byte[] Patch(byte[] src, long at, ReadOnlySpan<byte> with)
    {
        var b = (byte[])src.Clone();
        with.CopyTo(b.AsSpan((int)at));
        return b;
    }

    static byte[] PatchU32(byte[] src, long at, uint v) { Span<byte> s = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(s, v); return Patch(src, at, s); }
    static byte[] PatchU64(byte[] src, long at, ulong v) { Span<byte> s = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(s, v); return Patch(src, at, s); }

    [Fact]
    public void The_small_file_is_valid() => Assert.Null(OpenOrFormatError(Small(), "small"));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    public void Tiny_files_are_rejected(int length)
    {
        var e = MustFail(Small()[..length], $"{length} bytes");
        Assert.Matches("short|truncated|ends", e.Message);
    }

    [Fact]
    public void Bad_magic_is_named()
    {
        var e = MustFail(Patch(Small(), 0, "GGUG"u8), "bad magic");
        Assert.Contains("magic", e.Message);
        MustFail(Patch(Small(), 0, "FUGG"u8), "byte-swapped magic");
    }

    [Fact]
    public void An_empty_file_on_disk_is_a_format_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ponder-empty-{Guid.NewGuid():N}.gguf");
        File.WriteAllBytes(path, []);
        try { Assert.Throws<GgufFormatException>(() => GgufFile.Open(path)); }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(0x03000000u)]
    [InlineData(uint.MaxValue)]
    public void Unknown_versions_are_rejected_with_the_number(uint version)
    {
        var e = MustFail(PatchU32(Small(), 4, version), $"version {version}");
        Assert.Contains($"version {version}", e.Message);
    }

    [Fact]
    public void Version_2_is_read()
    {
        using var f = GgufFile.FromBytes(PatchU32(Small(), 4, 2));
        Assert.Equal(2u, f.Version);
    }

    [Fact]
    public void Huge_counts_and_lengths_are_rejected_before_allocating()
    {
        var b = Small();
        var l = new GgufLayout(b);
        foreach (var v in new ulong[] { ulong.MaxValue, long.MaxValue, int.MaxValue, 1u << 31, 100_000 })
        {
            MustFail(PatchU64(b, l.TensorCountOffset, v), $"tensor count {v}");
            MustFail(PatchU64(b, l.KvCountOffset, v), $"kv count {v}");
            MustFail(PatchU64(b, l.KeyAt["llama.block_count"], v), $"key length {v}");
            MustFail(PatchU64(b, l.ValueAt["general.architecture"], v), $"string length {v}");
            MustFail(PatchU64(b, l.ValueAt["tokenizer.ggml.tokens"] + 4, v), $"array length {v}");
            MustFail(PatchU64(b, l.Tensors[0].NameAt, v), $"tensor name length {v}");
        }
    }

    [Fact]
    public void Huge_and_zero_dimensions_are_rejected()
    {
        var b = Small();
        var t1 = new GgufLayout(b).Tensors[1];
        foreach (var v in new ulong[] { 0, ulong.MaxValue, (ulong)int.MaxValue + 1 })
            Assert.Contains("'t1'", MustFail(PatchU64(b, t1.DimsAt + 8, v), $"dim {v}").Message);
        // Each dimension is legal but the product overflows 64 bits.
        var big = PatchU64(PatchU64(b, t1.DimsAt, 32L * (int.MaxValue / 32)), t1.DimsAt + 8, int.MaxValue);
        big = PatchU32(big, t1.NDimsAt, 2);
        Assert.Contains("'t1'", MustFail(big, "overflowing shape").Message);
        foreach (uint nd in new uint[] { 0, 5, uint.MaxValue })
            MustFail(PatchU32(b, t1.NDimsAt, nd), $"n_dims {nd}");
    }

    [Fact]
    public void Tensor_data_out_of_bounds_is_rejected()
    {
        var b = Small();
        var l = new GgufLayout(b);
        var t2 = l.Tensors[2];
        var e = MustFail(PatchU64(b, t2.OffsetAt, 1 << 20), "offset past the end");
        Assert.Contains("'t2'", e.Message);
        MustFail(PatchU64(b, t2.OffsetAt, ulong.MaxValue - 31), "offset that wraps");
        // Last tensor's data cut short by truncating the file.
        MustFail(b[..(int)(l.DataStart + (long)t2.DataOffset + 23)], "last tensor truncated");
        // A row count that makes the data run past the end of the file.
        MustFail(PatchU64(b, t2.DimsAt + 8, 1000), "too many rows");
    }

    [Fact]
    public void Misaligned_offsets_are_rejected()
    {
        var b = Small();
        var t1 = new GgufLayout(b).Tensors[1];
        var e = MustFail(PatchU64(b, t1.OffsetAt, t1.DataOffset + 4), "misaligned");
        Assert.Contains("align", e.Message);
        Assert.Contains("'t1'", e.Message);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(48u)]
    [InlineData(1u << 21)]
    public void A_bad_alignment_is_rejected(uint alignment)
    {
        var b = Small(w => w.Add("general.alignment", GgufValue.U32(64)));
        var at = new GgufLayout(b).ValueAt["general.alignment"];
        Assert.Contains("alignment", MustFail(PatchU32(b, at, alignment), $"alignment {alignment}").Message);
        // Stored as the wrong type (int32 is accepted like llama.cpp's readers do; a float is not).
        var typeAt = new GgufLayout(b).ValueTypeAt["general.alignment"];
        Assert.Contains("alignment", MustFail(PatchU32(b, typeAt, (uint)GgufValueType.Float32), "float alignment").Message);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        var b = Small(w => { w.AddUInt32("dup.a", 1); w.AddUInt32("dup.b", 2); });
        var at = new GgufLayout(b).KeyAt["dup.b"];
        var e = MustFail(Patch(b, at + 8, "dup.a"u8), "duplicate key");
        Assert.Contains("'dup.a'", e.Message);
        Assert.Contains("twice", e.Message);
    }

    [Fact]
    public void Duplicate_tensor_names_are_rejected()
    {
        var b = Small();
        var t1 = new GgufLayout(b).Tensors[1];
        var e = MustFail(Patch(b, t1.NameAt + 8, "t0"u8), "duplicate tensor");
        Assert.Contains("'t0'", e.Message);
    }

    [Fact]
    public void An_unknown_tensor_type_names_the_tensor_and_the_id()
    {
        var b = Small();
        var t2 = new GgufLayout(b).Tensors[2];
        foreach (uint id in new uint[] { 4, 5, 31, 99, uint.MaxValue })
        {
            var e = MustFail(PatchU32(b, t2.TypeAt, id), $"type {id}");
            Assert.Contains("'t2'", e.Message);
            Assert.Contains(id.ToString(), e.Message);
        }
    }

    [Fact]
    public void Bad_metadata_value_types_and_bools_are_rejected()
    {
        var b = Small();
        var l = new GgufLayout(b);
        foreach (uint t in new uint[] { 13, 99, uint.MaxValue })
        {
            Assert.Contains("'flag'", MustFail(PatchU32(b, l.ValueTypeAt["flag"], t), $"value type {t}").Message);
            MustFail(PatchU32(b, l.ValueAt["tokenizer.ggml.tokens"], t), $"element type {t}");
        }
        MustFail(Patch(b, l.ValueAt["flag"], [2]), "bool 2");
    }

    [Fact]
    public void Arrays_nested_too_deep_are_rejected()
    {
        // array of array of array of array of u8: one level more than the reader allows.
        var ms = new MemoryStream();
        void U32(uint v) { Span<byte> s = stackalloc byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(s, v); ms.Write(s); }
        void U64(ulong v) { Span<byte> s = stackalloc byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(s, v); ms.Write(s); }
        U32(GgufFile.Magic); U32(3); U64(0); U64(1);
        U64(4); ms.Write("deep"u8); U32(9);
        for (int i = 0; i < 4; i++) { U32(9); U64(1); }
        U32(0); U64(1); ms.WriteByte(7);
        var e = MustFail(ms.ToArray(), "deep arrays");
        Assert.Contains("'deep'", e.Message);
    }

    [Fact]
    public void A_file_without_tensors_may_end_right_after_its_metadata()
    {
        var w = new GgufWriter { PadWhenNoTensors = false };
        w.AddString("general.architecture", "llama");
        var ms = new MemoryStream();
        w.WriteTo(ms);
        using var f = GgufFile.FromBytes(ms.ToArray());
        Assert.Empty(f.Tensors);
    }

    // ------------------------------------------------------------ corpus over the reference files

    public static TheoryData<string> ModelFiles()
    {
        var d = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestData.Root, "models"), "*.gguf").Order()) d.Add(Path.GetFileName(f));
        d.Add("ggml-vocab-llama-spm.gguf.gz");
        return d;
    }

    static byte[] Load(string file) =>
        file.EndsWith(".gz") ? TestData.Gunzip(TestData.Vocab(file)) : File.ReadAllBytes(TestData.Model(file));

    /// <summary>Cut the file at every field boundary of its header (and one byte after), at every tensor's
    /// data start, and at 200 random points: anything cut before the end of the tensor infos must fail.</summary>
    [Theory]
    [MemberData(nameof(ModelFiles))]
    public async Task Truncated_at_every_section_boundary_and_at_random_points(string file)
    {
        var bytes = Load(file);
        var layout = new GgufLayout(bytes);
        var cuts = new SortedSet<long>();
        foreach (var f in layout.Fields) { cuts.Add(f.Offset); cuts.Add(f.Offset + 1); cuts.Add(f.Offset - 1); }
        var rng = new Random(20250220);
        for (int i = 0; i < 200; i++) cuts.Add(rng.NextInt64(0, bytes.Length));
        cuts.RemoveWhere(c => c < 0 || c >= bytes.Length);
        bool hasTensors = layout.Tensors.Count > 0;
        int rejected = 0;
        await RunWithTimeout(TimeSpan.FromSeconds(60), () =>
        {
            foreach (var cut in cuts)
            {
                var e = OpenOrFormatError(bytes[..(int)cut], $"{file} cut at {cut}");
                if (e != null) rejected++;
                else Assert.True(cut >= layout.InfosEnd && (!hasTensors || cut >= layout.DataStart),
                    $"{file} cut at {cut} (inside the header, which ends at {layout.InfosEnd}) opened");
            }
        });
        Assert.True(rejected >= cuts.Count(c => c < layout.InfosEnd), $"{file}: {rejected} of {cuts.Count} rejected");
        output.WriteLine($"{file}: {cuts.Count} truncations, {rejected} rejected");
    }

    /// <summary>300 mutants per file, each with 1-4 damaged spots in the first 4 KB (bit flips, random
    /// bytes, runs of 0xFF that make huge counts, runs of zeros), from fixed seeds. Every 25th mutant
    /// goes through the memory-mapped path. Each must open or throw GgufFormatException, quickly.</summary>
    [Theory]
    [MemberData(nameof(ModelFiles))]
    public async Task Random_byte_flips_in_the_first_4KB(string file)
    {
        const int Mutants = 300;
        var original = Load(file);
        int opened = 0, rejected = 0;
        var slowest = TimeSpan.Zero;
        string tmp = Path.Combine(Path.GetTempPath(), $"ponder-mutant-{Guid.NewGuid():N}.gguf");
        try
        {
            await RunWithTimeout(TimeSpan.FromSeconds(90), () =>
            {
                var rng = new Random(unchecked(4242 + (int)Fnv(file)));
                int span = Math.Min(4096, original.Length);
                var b = (byte[])original.Clone();
                var head = original[..Math.Min(span + 8, original.Length)];
                for (int m = 0; m < Mutants; m++)
                {
                    // Damage the head of one working copy and undo it afterwards: cloning a 4 MB model
                    // per mutant would dominate the run time.
                    head.CopyTo(b, 0);
                    int spots = rng.Next(1, 5);
                    for (int s = 0; s < spots; s++)
                    {
                        int at = rng.Next(span);
                        switch (rng.Next(4))
                        {
                            case 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                            case 1: b[at] = (byte)rng.Next(256); break;
                            case 2: b.AsSpan(at, Math.Min(rng.Next(1, 9), b.Length - at)).Fill(0xFF); break;
                            default: b.AsSpan(at, Math.Min(rng.Next(1, 9), b.Length - at)).Clear(); break;
                        }
                    }
                    var sw = Stopwatch.StartNew();
                    GgufFormatException? e;
                    if (m % 25 == 0)
                    {
                        File.WriteAllBytes(tmp, b);
                        e = null;
                        try { using var f = GgufFile.Open(tmp); Touch(f); }
                        catch (GgufFormatException x) { e = x; }
                        catch (Exception x) { Assert.Fail($"{file} mutant {m} (mapped): {x.GetType().Name}: {x.Message}"); }
                    }
                    else e = OpenOrFormatError(b, $"{file} mutant {m}");
                    if (sw.Elapsed > slowest) slowest = sw.Elapsed;
                    if (e == null) opened++; else rejected++;
                }
            });
        }
        finally { File.Delete(tmp); }
        Assert.Equal(Mutants, opened + rejected);
        output.WriteLine($"{file}: {Mutants} mutants, {rejected} rejected with GgufFormatException, {opened} opened; slowest {slowest.TotalMilliseconds:F1} ms");
        Assert.True(rejected > 0, $"{file}: no mutant was rejected — the corpus is not reaching the parser");
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"{file}: slowest mutant took {slowest}");
    }

    static uint Fnv(string s)
    {
        uint h = 2166136261;
        foreach (var c in Encoding.UTF8.GetBytes(s)) h = (h ^ c) * 16777619;
        return h;
    }

    /// <summary>Runs the body on the thread pool and fails the test if it has not finished in time
    /// (a hang in the reader must fail the test, not stall the run).</summary>
    static async Task RunWithTimeout(TimeSpan limit, Action body)
    {
        var task = Task.Run(body);
        try { await task.WaitAsync(limit); }
        catch (TimeoutException) { Assert.Fail($"did not finish within {limit}: the reader hangs on some input"); }
    }
}
