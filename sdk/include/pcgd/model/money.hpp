// Money as integer minor units plus an ISO 4217 code. Never floating point.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pcgd::model {

/// An ISO 4217 alphabetic code, three upper-case ASCII letters.
class Currency {
public:
    constexpr Currency() = default;

    /// Throws std::invalid_argument unless `code` is three letters A-Z.
    static Currency of(std::string_view code) {
        auto parsed = parse(code);
        if (!parsed) throw std::invalid_argument("not an ISO 4217 currency code: '" + std::string(code) + "'");
        return *parsed;
    }

    static constexpr std::optional<Currency> parse(std::string_view code) noexcept {
        if (code.size() != 3) return std::nullopt;
        Currency c;
        for (std::size_t i = 0; i < 3; ++i) {
            const char ch = code[i];
            if (ch < 'A' || ch > 'Z') return std::nullopt;
            c.code_[i] = ch;
        }
        return c;
    }

    constexpr bool empty() const noexcept { return code_[0] == '\0'; }
    constexpr std::string_view code() const noexcept { return empty() ? std::string_view{} : std::string_view(code_.data(), 3); }
    std::string str() const { return std::string(code()); }

    /// Digits after the decimal point (ISO 4217 minor unit exponent).
    /// Called for every amount parsed, so codes are compared as packed
    /// integers: 24 string comparisons were a quarter of mapping an order.
    constexpr int exponent() const noexcept {
        constexpr auto pack = [](const char* c) noexcept {
            return static_cast<std::uint32_t>(static_cast<unsigned char>(c[0])) << 16 |
                   static_cast<std::uint32_t>(static_cast<unsigned char>(c[1])) << 8 | static_cast<unsigned char>(c[2]);
        };
        constexpr std::array<const char*, 17> zero = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
                                                      "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"};
        constexpr std::array<const char*, 7> three = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
        const std::uint32_t mine = pack(code_.data());
        for (const char* z : zero) if (pack(z) == mine) return 0;
        for (const char* t : three) if (pack(t) == mine) return 3;
        return 2;
    }

    friend constexpr bool operator==(const Currency&, const Currency&) = default;
    friend constexpr auto operator<=>(const Currency&, const Currency&) = default;

private:
    std::array<char, 4> code_{};
};

class CurrencyMismatch : public std::logic_error {
public:
    CurrencyMismatch(Currency a, Currency b)
        : std::logic_error("cannot combine " + a.str() + " with " + b.str() + " without an exchange rate") {}
};

/// An amount in minor units (pence, cents) of one currency.
struct Money {
    std::int64_t minor = 0;
    Currency currency;

    static Money zero(Currency c) { return Money{0, c}; }

    /// Parses a decimal string as platforms send it ("199.00", "-5.5", "12").
    /// More fractional digits than the currency has are rounded half away
    /// from zero ("123.456" EUR -> 12346). Throws std::invalid_argument.
    static Money parse(std::string_view decimal, Currency c) {
        auto m = try_parse(decimal, c);
        if (!m) throw std::invalid_argument("not a decimal amount: '" + std::string(decimal) + "'");
        return *m;
    }

    static std::optional<Money> try_parse(std::string_view s, Currency c) noexcept {
        if (s.empty()) return std::nullopt;
        bool negative = false;
        std::size_t i = 0;
        if (s[0] == '-' || s[0] == '+') { negative = s[0] == '-'; i = 1; }
        const int exp = c.exponent();
        std::int64_t whole = 0;
        std::int64_t frac = 0;
        int frac_digits = 0;
        bool any_digit = false, round_up = false, seen_point = false;
        constexpr std::int64_t limit = std::numeric_limits<std::int64_t>::max() / 100000;
        for (; i < s.size(); ++i) {
            const char ch = s[i];
            if (ch == '.') {
                if (seen_point) return std::nullopt;
                seen_point = true;
                continue;
            }
            if (ch < '0' || ch > '9') return std::nullopt;
            any_digit = true;
            const int d = ch - '0';
            if (!seen_point) {
                if (whole > limit) return std::nullopt;
                whole = whole * 10 + d;
            } else if (frac_digits < exp) {
                frac = frac * 10 + d;
                ++frac_digits;
            } else if (frac_digits == exp) {
                round_up = d >= 5;
                ++frac_digits;
            }
        }
        if (!any_digit) return std::nullopt;
        for (int k = std::min(frac_digits, exp); k < exp; ++k) frac *= 10;
        std::int64_t scale = 1;
        for (int k = 0; k < exp; ++k) scale *= 10;
        std::int64_t minor = whole * scale + frac + (round_up ? 1 : 0);
        return Money{negative ? -minor : minor, c};
    }

    /// "1234.50" in the currency's own number of decimals, no grouping.
    std::string decimal() const {
        const int exp = currency.exponent();
        std::int64_t scale = 1;
        for (int k = 0; k < exp; ++k) scale *= 10;
        const bool negative = minor < 0;
        // Work in unsigned so INT64_MIN does not overflow on negation.
        const std::uint64_t abs = negative ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
        std::string out = negative ? "-" : "";
        out += std::to_string(abs / static_cast<std::uint64_t>(scale));
        if (exp > 0) {
            std::string frac = std::to_string(abs % static_cast<std::uint64_t>(scale));
            out += '.';
            out.append(static_cast<std::size_t>(exp) - frac.size(), '0');
            out += frac;
        }
        return out;
    }

    Money& operator+=(const Money& o) {
        require_same(o);
        if (__builtin_add_overflow(minor, o.minor, &minor)) throw std::overflow_error("money addition overflows");
        return *this;
    }
    Money& operator-=(const Money& o) {
        require_same(o);
        if (__builtin_sub_overflow(minor, o.minor, &minor)) throw std::overflow_error("money subtraction overflows");
        return *this;
    }
    friend Money operator+(Money a, const Money& b) { return a += b; }
    friend Money operator-(Money a, const Money& b) { return a -= b; }
    Money operator-() const { return Money{-minor, currency}; }

    /// Multiplies by a whole quantity (a line's units).
    Money times(std::int64_t quantity) const {
        Money r{0, currency};
        if (__builtin_mul_overflow(minor, quantity, &r.minor)) throw std::overflow_error("money multiplication overflows");
        return r;
    }

    friend bool operator==(const Money&, const Money&) = default;

private:
    void require_same(const Money& o) {
        // A zero amount with no currency yet adopts the other's currency.
        if (currency.empty() && minor == 0) { currency = o.currency; return; }
        if (o.currency.empty() && o.minor == 0) return;
        if (currency != o.currency) throw CurrencyMismatch(currency, o.currency);
    }
};

/// The same amount in the shop's currency and, where the platform gives it,
/// in the currency the buyer saw.
struct MoneyBag {
    Money shop;
    std::optional<Money> presentment;

    friend bool operator==(const MoneyBag&, const MoneyBag&) = default;
};

}  // namespace pcgd::model
