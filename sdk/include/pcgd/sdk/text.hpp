// Small text helpers every connector needs: query-string encoding and the
// plain text of an HTML description.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace pcgd::sdk {

/// Percent-encodes everything but RFC 3986's unreserved characters, for
/// query values and form bodies.
inline std::string url_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

/// The plain text of an HTML fragment, for analysis (description length,
/// keywords): tags dropped, block ends turned into spaces, the common
/// entities decoded, runs of white space folded.
inline std::string html_to_text(std::string_view html) {
    std::string out;
    out.reserve(html.size());
    auto space = [&] {
        if (!out.empty() && out.back() != ' ') out += ' ';
    };
    for (std::size_t i = 0; i < html.size(); ++i) {
        const char c = html[i];
        if (c == '<') {
            const auto close = html.find('>', i);
            if (close == std::string_view::npos) break;  // a cut-off tag: drop the rest
            space();
            i = close;
            continue;
        }
        if (c == '&') {
            static constexpr std::pair<std::string_view, std::string_view> entities[] = {
                {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"},
                {"&nbsp;", " "}, {"&eacute;", "é"}, {"&egrave;", "è"}, {"&agrave;", "à"}, {"&ccedil;", "ç"}, {"&euro;", "€"},
                {"&pound;", "£"}};
            bool decoded = false;
            for (auto [name, text] : entities)
                if (html.substr(i, name.size()) == name) {
                    if (text == " ") space();
                    else out += text;
                    i += name.size() - 1;
                    decoded = true;
                    break;
                }
            if (decoded) continue;
        }
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            space();
            continue;
        }
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace pcgd::sdk
