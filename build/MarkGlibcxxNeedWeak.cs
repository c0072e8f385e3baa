using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on the version need named <see cref="Version"/> in each ELF64 file given, but only
/// when no libstdc++ on this host provides that version. Idempotent; leaves other files untouched.
/// </summary>
public class MarkGlibcxxNeedWeak : Task
{
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
    [Required] public string Version { get; set; } = "";

    private static readonly string[] LibStdCxxPaths =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        var host = Array.Find(LibStdCxxPaths, File.Exists);
        if (host is null || Contains(File.ReadAllBytes(host), Encoding.ASCII.GetBytes(Version + "\0")))
            return true;
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            try
            {
                if (Patch(path, Version))
                    Log.LogMessage(MessageImportance.High, $"{path}: marked {Version} weak (host libstdc++ {host} lacks it)");
            }
            catch (Exception e)
            {
                Log.LogWarning($"{path}: could not mark {Version} weak: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }

    /// <summary>Returns true when the file was changed.</summary>
    private static bool Patch(string path, string version)
    {
        var b = File.ReadAllBytes(path);
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");
        var shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
        const uint ShtGnuVerneed = 0x6ffffffe;
        for (var i = 0; i < shnum; i++)
        {
            var sh = (int)(shoff + (long)i * shentsize);
            if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
            var offset = (int)BitConverter.ToUInt64(b, sh + 24);
            var link = BitConverter.ToUInt32(b, sh + 40);
            var count = BitConverter.ToUInt32(b, sh + 44);
            var strSh = (int)(shoff + (long)link * shentsize);
            var strOff = (int)BitConverter.ToUInt64(b, strSh + 24);
            var changed = false;
            var vn = offset;
            for (var n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(b, vn + 2);
                var aux = vn + (int)BitConverter.ToUInt32(b, vn + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(b, strOff + (int)BitConverter.ToUInt32(b, aux + 8));
                    var flags = BitConverter.ToUInt16(b, aux + 4);
                    if (name == version && (flags & 0x2) == 0)
                    {
                        var weak = BitConverter.GetBytes((ushort)(flags | 0x2));
                        b[aux + 4] = weak[0];
                        b[aux + 5] = weak[1];
                        changed = true;
                    }
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                vn += (int)BitConverter.ToUInt32(b, vn + 12);
            }
            if (!changed) return false;
            var tmp = path + ".nachos-tmp";
            File.WriteAllBytes(tmp, b);
            File.Copy(tmp, path, overwrite: true);
            File.Delete(tmp);
            return true;
        }
        return false;
    }

    private static string ReadCString(byte[] b, int at)
    {
        var end = at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}
