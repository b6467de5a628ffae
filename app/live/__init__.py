"""The live session without Qt: frames to events (pipeline), what was done (session), what to say (cues)."""
