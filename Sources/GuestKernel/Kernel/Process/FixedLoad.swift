/// Linux's load-average arithmetic (kernel/sched/loadavg.c, include/linux/
/// sched/loadavg.h): 11-bit fixed point, one fold per 5 s sample, n missed
/// samples folded at once with exp^n (calc_load_n). LoadAverage applies it.
enum FixedLoad {
    static let shift: UInt64 = 11                       // FSHIFT
    static let one: UInt64 = 1 << shift                 // FIXED_1
    static let exps: (UInt64, UInt64, UInt64) = (1884, 2014, 2037)   // EXP_1, EXP_5, EXP_15: 2048 / e^(5 s / 1, 5, 15 min)

    /// calc_load: load * exp + active * (1 - exp), rounded up while rising.
    static func fold(_ load: UInt64, _ exp: UInt64, _ active: UInt64) -> UInt64 {
        var new = load &* exp &+ active &* (one - exp)
        if active >= load { new &+= one - 1 }
        return new / one
    }

    /// exp^n in fixed point, rounding each product (fixed_power_int).
    static func power(_ x: UInt64, _ n: UInt64) -> UInt64 {
        var result = one, x = x, n = n
        while n > 0 {
            if n & 1 != 0 { result = (result &* x &+ one / 2) >> shift }
            n >>= 1
            if n > 0 { x = (x &* x &+ one / 2) >> shift }
        }
        return result
    }

    /// "%lu.%02lu" parts of a load, rounded to the hundredth (loadavg_proc_show's FIXED_1/200).
    static func hundredths(_ v: UInt64) -> (UInt64, UInt64) {
        let a = v &+ one / 200
        return (a >> shift, ((a & (one - 1)) &* 100) >> shift)
    }
}
