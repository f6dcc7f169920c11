-- athena reply: a form-encoded POST with the required `text`.
wrk.method = "POST"
wrk.body = "text=" .. "Thanks%2C+see+you+on+Tuesday."
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
