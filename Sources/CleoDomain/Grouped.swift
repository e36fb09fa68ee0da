extension BinaryInteger {
    /// Digits in groups of three (`8,797,223`): how counts and byte offsets read everywhere,
    /// the frame's notices and the CLI's summaries alike.
    public var grouped: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (self < 0 ? "-" : "") + out
    }
}
