// The programme's shape: onboarding first, four formal sessions, the end
// review after them, then the continuing cycle; sessions in date order.
#include <gtest/gtest.h>

#include "coaching/programme.hpp"

using namespace pcgd;
using namespace pcgd::coaching;

namespace {

host::Session session(std::int64_t id, const char* kind, std::int64_t at, bool figures = true) {
    host::Session s;
    s.id = id;
    s.kind = kind;
    s.held_at_ms = at;
    if (figures) s.snapshot_json = "{}";
    return s;
}

std::string refusal(const std::vector<host::Session>& sessions, const char* kind, std::int64_t at) {
    try {
        next_session_number(sessions, kind, at);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(CoachingProgrammeRules, SessionsFollowTheProgramme) {
    std::vector<host::Session> s;
    EXPECT_EQ(programme_status(s).phase, "not_started");
    EXPECT_EQ(refusal(s, "review", 10), "the programme has not started: run `pcgd programme start` first");
    EXPECT_EQ(next_session_number(s, "onboarding", 10), 0);
    s.push_back(session(1, "onboarding", 10));
    EXPECT_EQ(programme_status(s).phase, "onboarded");
    EXPECT_EQ(refusal(s, "onboarding", 20), "the programme has already started (onboarding is done)");
    EXPECT_EQ(refusal(s, "end_review", 20), "the end-of-programme review follows the four formal sessions; 0 held so far");
    EXPECT_EQ(refusal(s, "continuing", 20), "the continuing review cycle starts after the end-of-programme review");
    EXPECT_EQ(refusal(s, "review", 5), "the session is dated 1970-01-01T00:00:00.005Z, before the last session (1970-01-01T00:00:00.010Z)");
    for (std::int64_t n = 1; n <= 4; ++n) {
        EXPECT_EQ(next_session_number(s, "review", 10 + n * 10), n);
        s.push_back(session(1 + n, "review", 10 + n * 10));
        if (n == 2) {
            EXPECT_EQ(next_session_number(s, "checkin", 35), 1);
            s.push_back(session(10, "checkin", 35, false));
        }
    }
    const auto status = programme_status(s);
    EXPECT_EQ(status.phase, "in_sessions");
    EXPECT_EQ(status.reviews_held, 4);
    EXPECT_EQ(status.checkins, 1);
    EXPECT_EQ(refusal(s, "review", 60), "the four formal sessions have been held: record the 'end_review' next");
    EXPECT_EQ(next_session_number(s, "end_review", 60), 1);
    s.push_back(session(11, "end_review", 60));
    EXPECT_EQ(programme_status(s).phase, "ended");
    EXPECT_EQ(refusal(s, "review", 70), "the programme has ended: record a 'continuing' review instead");
    EXPECT_EQ(next_session_number(s, "continuing", 70), 1);
}

TEST(CoachingProgrammeRules, AReviewComparesWithTheLastSessionThatShowedFigures) {
    const std::vector<host::Session> s = {session(1, "onboarding", 10), session(2, "review", 20), session(3, "checkin", 25, false),
                                          session(4, "review", 30)};
    EXPECT_FALSE(previous_with_snapshot(s, 1));
    EXPECT_EQ(previous_with_snapshot(s, 2)->id, 1);
    EXPECT_EQ(previous_with_snapshot(s, 4)->id, 2);  // not the check-in, which showed none
}
