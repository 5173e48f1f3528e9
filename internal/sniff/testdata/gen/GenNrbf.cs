// Writes .NET BinaryFormatter (MS-NRBF) positive samples for internal/sniff:
//   ../positive/nrbf_*  + ../positive/nrbf.manifest.jsonl
// Build and run from this directory with Debian's mono (mono-mcs, mono-runtime):
//   mcs -out:/tmp/GenNrbf.exe GenNrbf.cs && mono /tmp/GenNrbf.exe
// Mono's BinaryFormatter is the .NET Framework reference source, so the
// streams are what a .NET Framework application writes. Every sample is
// read back with BinaryFormatter.Deserialize before it is written. The
// expected classes are the application classes the generator serialized
// (`exact` is false: the stream also names the framework types it uses).
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Runtime.Serialization;
using System.Runtime.Serialization.Formatters.Binary;
using System.Text;

namespace Shop.Models
{
    [Serializable]
    public class Address
    {
        public string City = "Springfield";
        public int Zip = 62704;
    }

    public enum Tier { Basic, Gold }

    [Serializable]
    public struct Money
    {
        public decimal Amount;
        public string Currency;
    }

    [Serializable]
    public class Profile
    {
        public string Name = "alice";
        public string[] Roles = { "admin", "editor" };
        public Address Home = new Address();
        public Address Work;                      // null
        public Address Billing;                   // a reference to Home
        public List<int> Visits = new List<int> { 1, 2, 3 };
        public Dictionary<string, object> Prefs = new Dictionary<string, object> { { "theme", "dark" }, { "pageSize", 50 } };
        public DateTime Since = new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        public decimal Balance = 12.50m;
        public char Initial = 'é';
        public int[,] Grid = new int[2, 3];
        public Tier Tier = Tier.Gold;
        public Money Credit = new Money { Amount = 5m, Currency = "EUR" };
        public int? Age = 42;
    }

    [Serializable]
    public class CartLine
    {
        public string Sku;
        public int Qty;
        public CartLine(string sku, int qty) { Sku = sku; Qty = qty; }
    }

    // Custom serialization: GetObjectData decides the member names.
    [Serializable]
    public class Session : ISerializable
    {
        public string User = "ada";
        public List<CartLine> Lines = new List<CartLine> { new CartLine("MUG-001", 2), new CartLine("TEE-XL", 1), new CartLine("CAP-RED", 3) };
        public Session() { }
        protected Session(SerializationInfo info, StreamingContext ctx)
        {
            User = info.GetString("u");
            Lines = (List<CartLine>)info.GetValue("l", typeof(List<CartLine>));
        }
        public void GetObjectData(SerializationInfo info, StreamingContext ctx)
        {
            info.AddValue("u", User);
            info.AddValue("l", Lines);
            info.AddValue("v", 3);
        }
    }
}

class GenNrbf
{
    static readonly string Out = Path.Combine("..", "positive");
    static readonly List<string> Lines = new List<string>();

    static string J(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var c in s)
        {
            if (c == '"' || c == '\\') b.Append('\\').Append(c);
            else if (c < 0x20) b.AppendFormat("\\u{0:x4}", (int)c);
            else b.Append(c);
        }
        return b.Append('"').ToString();
    }

    static void Put(string file, byte[] value, string enc, string[] classes, string how, bool strong = true)
    {
        File.WriteAllBytes(Path.Combine(Out, file), value);
        var cls = new List<string>();
        foreach (var c in classes) cls.Add(J(c));
        Lines.Add("{\"classes\":[" + string.Join(",", cls) + "],\"encoding\":" + J(enc) + ",\"exact\":false,\"file\":" + J(file) +
                  ",\"format\":\"dotnet-binaryformatter\",\"how\":" + J(how + " (Mono " + Environment.Version + " BinaryFormatter)") +
                  ",\"strong\":" + (strong ? "true" : "false") + "}");
    }

    static void Put(string file, string value, string enc, string[] classes, string how, bool strong = true)
    {
        Put(file, Encoding.UTF8.GetBytes(value), enc, classes, how, strong);
    }

    static byte[] Serialize(object o)
    {
        var ms = new MemoryStream();
        new BinaryFormatter().Serialize(ms, o);
        var b = ms.ToArray();
        new BinaryFormatter().Deserialize(new MemoryStream(b)); // must read back
        return b;
    }

    static string B64Url(byte[] b)
    {
        return Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    static string UrlLabel(string t)
    {
        return t.IndexOf('-') >= 0 || t.IndexOf('_') >= 0 || t.Length % 4 != 0 ? "base64url" : "base64";
    }

    static string Hex(byte[] b)
    {
        return BitConverter.ToString(b).Replace("-", "").ToLowerInvariant();
    }

    static byte[] Gzip(byte[] b)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionMode.Compress)) gz.Write(b, 0, b.Length);
        return ms.ToArray();
    }

    static void Main()
    {
        var profile = new Shop.Models.Profile();
        profile.Billing = profile.Home;
        var p = Serialize(profile);
        var pc = new[] { "Shop.Models.Profile", "Shop.Models.Address", "Shop.Models.Tier", "Shop.Models.Money" };
        Put("nrbf_profile.bin", p, "raw", pc, "BinaryFormatter.Serialize(Shop.Models.Profile) with a List, a Dictionary, a 2-D array, an enum, a struct, a nullable, a null and a shared reference");
        Put("nrbf_profile.b64", Convert.ToBase64String(p), "base64", pc, "Convert.ToBase64String of the same stream");
        var u = B64Url(p);
        Put("nrbf_profile.b64url", u, UrlLabel(u), pc, "URL-safe base64 without padding of the same stream");
        Put("nrbf_profile.hex", Hex(p), "hex", pc, "hex of the same stream");
        Put("nrbf_profile.pct", Uri.EscapeDataString(Convert.ToBase64String(p)), "percent+base64", pc, "Uri.EscapeDataString(Convert.ToBase64String(...))");
        Put("nrbf_profile_gzip.b64", Convert.ToBase64String(Gzip(p)), "base64+gzip", pc, "base64 of GZipStream output of the same stream");
        Put("nrbf_truncated.b64", Convert.ToBase64String(p).Substring(0, 200), "base64", new[] { "Shop.Models.Profile" },
            "first 200 base64 characters of the profile stream", false);

        var session = Serialize(new Shop.Models.Session());
        Put("nrbf_session.b64", Convert.ToBase64String(session), "base64", new[] { "Shop.Models.Session", "Shop.Models.CartLine" },
            "BinaryFormatter.Serialize(ISerializable Shop.Models.Session holding a List<CartLine>: ClassWithId records for the repeated class)");

        var legacy = new Hashtable();
        legacy["user"] = "bob";
        legacy["lines"] = new ArrayList { new Shop.Models.CartLine("MUG-001", 1), null, null, null, 7, "x", new object[300] };
        legacy["jagged"] = new int[][] { new[] { 1, 2 }, new[] { 3 } };
        legacy["when"] = TimeSpan.FromMinutes(90);
        var l = Serialize(legacy);
        Put("nrbf_hashtable.b64", Convert.ToBase64String(l), "base64", new[] { "System.Collections.Hashtable", "Shop.Models.CartLine" },
            "BinaryFormatter.Serialize(Hashtable of an ArrayList with nulls and a 300-element object[] (ObjectNullMultiple), a jagged int[][], a TimeSpan)");

        var s = Serialize("just a string");
        Put("nrbf_string.b64", Convert.ToBase64String(s), "base64", new string[0], "BinaryFormatter.Serialize(\"just a string\") (a BinaryObjectString root)");

        File.WriteAllText(Path.Combine(Out, "nrbf.manifest.jsonl"), string.Join("\n", Lines) + "\n");
        Console.WriteLine("nrbf: " + Lines.Count + " positive samples");

        // Benign look-alikes: binary values that share the first header
        // bytes (a 00 byte and a little-endian INT32 1) but are not
        // MS-NRBF, and tokens that merely start with "AAEAAAD".
        var rng = new Random(20240509);
        var neg = new List<string>();
        for (int i = 0; i < 40; i++)
        {
            var b = new byte[12 + rng.Next(80)];
            rng.NextBytes(b);
            b[0] = 0; b[1] = 1; b[2] = 0; b[3] = 0; b[4] = 0;
            if (i % 4 == 1) { b[5] = b[6] = b[7] = b[8] = 0xff; b[9] = 2; } // version 2.0
            if (i % 4 == 2) Array.Clear(b, 5, Math.Min(8, b.Length - 5));   // zero-padded INT32s
            switch (i % 3)
            {
                case 0: neg.Add(Convert.ToBase64String(b)); break;
                case 1: neg.Add(Hex(b)); break;
                default: neg.Add(B64Url(b)); break;
            }
        }
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < 10; i++)
        {
            var t = new StringBuilder("AAEAAAD");
            for (int j = 0, n = 12 + rng.Next(30); j < n; j++) t.Append(alphabet[rng.Next(alphabet.Length)]);
            neg.Add(t.ToString());
        }
        var ints = new MemoryStream();
        foreach (var v in new[] { 256, 1, -1, 1, 0, 7, 42 }) ints.Write(BitConverter.GetBytes(v), 0, 4);
        neg.Add(Convert.ToBase64String(ints.ToArray()));
        File.WriteAllText(Path.Combine("..", "negative", "nrbf.txt"), string.Join("\n", neg) + "\n");
        Console.WriteLine("nrbf: " + neg.Count + " negative values");
    }
}
