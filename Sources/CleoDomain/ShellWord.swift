/// A word quoted for a POSIX shell (bash), so a printed command can be pasted as is and names
/// exactly the file, whatever bytes its name holds — and prints nothing that could drive a
/// terminal: a word with a byte outside printable ASCII is written `$'…'` with `\xHH` escapes.
public enum ShellWord {
    public static func quoted(_ word: String) -> String {
        let bytes = Array(word.utf8)
        if !bytes.isEmpty, bytes.allSatisfy(isBare) { return word }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return "'" + word.replacingAll("'", with: "'\\''") + "'"
        }
        var out = "$'"
        for byte in bytes {
            switch byte {
            case 0x27: out += "\\'"
            case 0x5C: out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
            }
        }
        return out + "'"
    }

    /// One command line from its words, each quoted.
    public static func command(_ words: [String]) -> String {
        words.map(quoted).joined(separator: " ")
    }

    /// Bytes that need no quoting anywhere in a word.
    static func isBare(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ":"),
             UInt8(ascii: ","), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: "@"), UInt8(ascii: "%"): true
        default: false
        }
    }
}

extension String {
    /// Every occurrence of `target` replaced (Foundation-free).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
