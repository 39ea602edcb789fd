"""Local fakes of Google's APIs (token, Forms v1, Sheets v4) for tests: real client libraries talk to them."""
