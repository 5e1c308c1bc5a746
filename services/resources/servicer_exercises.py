"""ResourceService methods of exercises: open, read and end a drill namespace."""

from __future__ import annotations

from emergency.resources.v1 import resources_service_pb2 as pb
from sqlmodel import Session

from services.common.interceptors import Context
from services.common.names import EXERCISE
from services.resources import exercises, store_exercises
from services.resources import mapping as mp
from services.resources.access import Action
from services.resources.servicer_base import ServicerBase, caller


class ExerciseRpcs(ServicerBase):
    """CreateExercise, GetExercise and EndExercise."""

    async def CreateExercise(self, request: pb.CreateExerciseRequest, context: Context) -> pb.CreateExerciseResponse:
        """Open an exercise namespace."""
        principal = caller(Action.MANAGE_EXERCISE)

        def work(session: Session) -> pb.CreateExerciseResponse:
            started = exercises.start_exercise(session, exercise_id=request.exercise_id, name=request.title, actor=principal.subject)
            return pb.CreateExerciseResponse(exercise=mp.exercise_to_pb(started))

        return await self._mutate("CreateExercise", request, pb.CreateExerciseResponse, work)

    async def GetExercise(self, request: pb.GetExerciseRequest, context: Context) -> pb.GetExerciseResponse:
        """One exercise."""
        exercise_id = EXERCISE.parse_one(request.name)
        caller(Action.READ)
        return await self._read(lambda s: pb.GetExerciseResponse(exercise=mp.exercise_to_pb(store_exercises.get_exercise(s, exercise_id=exercise_id))))

    async def EndExercise(self, request: pb.EndExerciseRequest, context: Context) -> pb.EndExerciseResponse:
        """End an exercise, discarding everything it changed."""
        exercise_id = EXERCISE.parse_one(request.name)
        principal = caller(Action.MANAGE_EXERCISE)

        def work(session: Session) -> pb.EndExerciseResponse:
            return pb.EndExerciseResponse(exercise=mp.exercise_to_pb(exercises.end_exercise(session, exercise_id=exercise_id, actor=principal.subject)))

        return await self._mutate("EndExercise", request, pb.EndExerciseResponse, work)
