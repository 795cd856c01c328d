// Child processes for end-to-end tests: the real `pcgd` and `pcgd-emulator`
// binaries, talking over loopback.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

namespace pcgd::test {

struct RunResult {
    int exit_code = -1;  // 128 + signal when killed
    std::string out;
    std::string err;
};

/// Runs a command to completion, capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
              std::chrono::milliseconds timeout = std::chrono::minutes(5));

/// A running child whose stdout can be read line by line.
class Subprocess {
public:
    Subprocess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});
    ~Subprocess();  // SIGTERM, then SIGKILL after a grace period
    Subprocess(const Subprocess&) = delete;
    Subprocess& operator=(const Subprocess&) = delete;

    /// The next line of stdout; throws on EOF or timeout.
    std::string read_line(std::chrono::milliseconds timeout = std::chrono::seconds(30));
    void kill(int signal);
    /// Waits for exit; returns the exit code, or 128 + signal.
    int wait();
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string buffer_;
    bool reaped_ = false;
    int status_ = 0;
};

/// A scratch directory removed at destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

}  // namespace pcgd::test
