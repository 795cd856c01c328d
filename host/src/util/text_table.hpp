// Plain-text tables for terminals: columns aligned on code points, so
// "Crème" lines up with "Cream".
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace pcgd::host {

inline std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    auto width = [](const std::string& s) {
        std::size_t w = 0;
        for (unsigned char c : s) w += (c & 0xC0) != 0x80;  // count code points, not bytes
        return w;
    };
    std::vector<std::size_t> widths;
    for (const auto& row : rows)
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (widths.size() <= i) widths.push_back(0);
            widths[i] = std::max(widths[i], width(row[i]));
        }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - width(row[i]) + 2, ' ');
        }
        out += line + '\n';
    }
    return out;
}

}  // namespace pcgd::host
