/// Parses JSON text (RFC 8259) into `JSON`, for reading baselines without
/// Foundation. Integers that fit become .int/.uint, other numbers .double.
struct JSONParser {
    struct Error: Swift.Error, Equatable, CustomStringConvertible {
        let offset: Int
        let what: String
        var description: String { "invalid JSON at byte \(offset): \(what)" }
    }

    private let bytes: [UInt8]
    private var at = 0
    private var depth = 0

    static func parse(_ text: String) throws -> JSON {
        var p = JSONParser(bytes: Array(text.utf8))
        let v = try p.value()
        p.skipSpace()
        guard p.at == p.bytes.count else { throw Error(offset: p.at, what: "trailing characters") }
        return v
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[at]) { at += 1 }
    }

    private mutating func expect(_ literal: String, _ v: JSON) throws -> JSON {
        let l = Array(literal.utf8)
        guard at + l.count <= bytes.count, Array(bytes[at..<at + l.count]) == l else { throw Error(offset: at, what: "expected \(literal)") }
        at += l.count
        return v
    }

    private mutating func value() throws -> JSON {
        skipSpace()
        guard at < bytes.count else { throw Error(offset: at, what: "unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return try number()
        }
    }

    private mutating func nested<T>(_ body: (inout JSONParser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 512 else { throw Error(offset: at, what: "nesting too deep") }
        return try body(&self)
    }

    private mutating func object() throws -> JSON {
        try nested { p in
            p.at += 1
            var members: [(String, JSON)] = []
            p.skipSpace()
            if p.at < p.bytes.count, p.bytes[p.at] == UInt8(ascii: "}") { p.at += 1; return .object(members) }
            while true {
                p.skipSpace()
                guard p.at < p.bytes.count, p.bytes[p.at] == UInt8(ascii: "\"") else { throw Error(offset: p.at, what: "expected a key") }
                let k = try p.string()
                p.skipSpace()
                guard p.at < p.bytes.count, p.bytes[p.at] == UInt8(ascii: ":") else { throw Error(offset: p.at, what: "expected ':'") }
                p.at += 1
                members.append((k, try p.value()))
                p.skipSpace()
                guard p.at < p.bytes.count else { throw Error(offset: p.at, what: "unterminated object") }
                if p.bytes[p.at] == UInt8(ascii: ",") { p.at += 1; continue }
                if p.bytes[p.at] == UInt8(ascii: "}") { p.at += 1; return .object(members) }
                throw Error(offset: p.at, what: "expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws -> JSON {
        try nested { p in
            p.at += 1
            var items: [JSON] = []
            p.skipSpace()
            if p.at < p.bytes.count, p.bytes[p.at] == UInt8(ascii: "]") { p.at += 1; return .array(items) }
            while true {
                items.append(try p.value())
                p.skipSpace()
                guard p.at < p.bytes.count else { throw Error(offset: p.at, what: "unterminated array") }
                if p.bytes[p.at] == UInt8(ascii: ",") { p.at += 1; continue }
                if p.bytes[p.at] == UInt8(ascii: "]") { p.at += 1; return .array(items) }
                throw Error(offset: p.at, what: "expected ',' or ']'")
            }
        }
    }

    private mutating func string() throws -> String {
        at += 1
        var out: [UInt8] = []
        while at < bytes.count {
            let c = bytes[at]
            at += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else { out.append(c); continue }
            guard at < bytes.count else { break }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "u"):
                guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16) else {
                    throw Error(offset: at, what: "bad \\u escape")
                }
                at += 4
                out += Array(String(Unicode.Scalar(v).map(Character.init) ?? "\u{fffd}").utf8)
            default: out.append(e)
            }
        }
        throw Error(offset: at, what: "unterminated string")
    }

    private mutating func number() throws -> JSON {
        let start = at
        while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        if let i = Int64(text) { return .int(i) }
        if let u = UInt64(text) { return .uint(u) }
        if let d = Double(text), !text.isEmpty { return .double(d) }
        throw Error(offset: start, what: "bad value")
    }
}

extension JSON {
    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var array: [JSON]? { if case .array(let a) = self { return a } else { return nil } }
}
